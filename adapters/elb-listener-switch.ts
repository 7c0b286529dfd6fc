import {
  type Action,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListenerSwitchRefusedError } from '../app/errors';
import type { ListenerSwitch } from '../domain/ports';

/** Errors no retry can fix: the listener or target group is gone, the agent may not touch it, or ELB says no. */
const PERMANENT = new Set([
  'ListenerNotFoundException',
  'TargetGroupNotFoundException',
  'AccessDenied',
  'AccessDeniedException',
  'ValidationError',
  'InvalidConfigurationRequestException',
  'InvalidLoadBalancerActionException',
  'TargetGroupAssociationLimitException',
  'OperationNotPermittedException',
]);

/**
 * Blue/green's traffic switch on an Application or Network Load Balancer listener: its default forward action
 * sends all traffic to one target group, and a switch replaces that target group, leaving the listener's other
 * actions (authentication, say) and the forward action's stickiness as they were. One DescribeListeners per read;
 * a DescribeListeners and a ModifyListener per switch.
 */
export function elbListenerSwitch(client: ElasticLoadBalancingV2Client): ListenerSwitch {
  async function defaultActions(listenerArn: string): Promise<Action[]> {
    const { Listeners = [] } = await refusing(() =>
      client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })),
    );
    const listener = Listeners[0];
    if (listener === undefined) throw new ListenerSwitchRefusedError(`listener ${listenerArn} not found`);
    return listener.DefaultActions ?? [];
  }

  return {
    async liveTargetGroup(listenerArn) {
      return liveOf(await defaultActions(listenerArn));
    },

    async switch(listenerArn, from, to) {
      const actions = await defaultActions(listenerArn);
      const live = liveOf(actions);
      if (live === to) return;
      if (live !== from) {
        throw new ListenerSwitchRefusedError(
          `the listener forwards to ${live ?? 'no single target group'}, not to ${from}; it was changed by someone else`,
        );
      }
      await refusing(() =>
        client.send(
          new ModifyListenerCommand({
            ListenerArn: listenerArn,
            DefaultActions: actions.map((action) => retarget(action, to)),
          }),
        ),
      );
    },
  };
}

/** The adapter with its own client: what a composition root that loads this module on demand calls. */
export function elbListenerSwitchWithClient(config: ElasticLoadBalancingV2ClientConfig): ListenerSwitch {
  return elbListenerSwitch(new ElasticLoadBalancingV2Client(config));
}

/** The target group that gets all of the default forward action's traffic, or null when none or several do. */
function liveOf(actions: readonly Action[]): string | null {
  const forward = actions.find((action) => action.Type === 'forward');
  if (forward === undefined) return null;
  const weighted = forward.ForwardConfig?.TargetGroups;
  if (weighted === undefined || weighted.length === 0) return forward.TargetGroupArn ?? null;
  // A weight left out counts as 1 (the ELB default); a weight of 0 gets no traffic.
  const live = weighted.filter((tuple) => (tuple.Weight ?? 1) > 0);
  return live.length === 1 ? (live[0]?.TargetGroupArn ?? null) : null;
}

/** The same action with its forward target replaced; an OIDC action keeps the secret ELB does not echo back. */
function retarget(action: Action, targetGroupArn: string): Action {
  if (action.Type === 'forward') {
    const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
    return {
      Type: 'forward',
      ...(action.Order !== undefined ? { Order: action.Order } : {}),
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }],
        ...(stickiness ? { TargetGroupStickinessConfig: stickiness } : {}),
      },
    };
  }
  if (action.AuthenticateOidcConfig) {
    return {
      ...action,
      AuthenticateOidcConfig: { ...action.AuthenticateOidcConfig, UseExistingClientSecret: true },
    };
  }
  return action;
}

async function refusing<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && PERMANENT.has(error.name)) {
      throw new ListenerSwitchRefusedError(`${error.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
