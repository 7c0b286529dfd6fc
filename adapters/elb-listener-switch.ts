import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListenerSwitchRefusedError } from '../domain/errors';
import type { ListenerSwitch } from '../domain/ports';
import type { TrafficRoute } from '../domain/types';

/** Errors no retry can fix: the listener or target group is gone, the agent may not touch it, or ELB says no. */
const PERMANENT = new Set([
  'ListenerNotFoundException',
  'RuleNotFoundException',
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
 * Blue/green's traffic switch on an Application or Network Load Balancer: the listener's default forward action (or,
 * on a load balancer shared with other services, one rule's forward action) sends all traffic to one target group,
 * and a switch replaces that target group, leaving the other actions (authentication, say) and the forward action's
 * stickiness as they were. One Describe call per read; a Describe and a Modify per switch.
 */
export function elbListenerSwitch(client: ElasticLoadBalancingV2Client): ListenerSwitch {
  async function actionsOf(route: TrafficRoute): Promise<Action[]> {
    if (route.ruleArn !== undefined) {
      const { ruleArn } = route;
      const { Rules = [] } = await refusing(() =>
        client.send(new DescribeRulesCommand({ RuleArns: [ruleArn] })),
      );
      const rule = Rules[0];
      if (rule === undefined) throw new ListenerSwitchRefusedError(`rule ${ruleArn} not found`);
      return rule.Actions ?? [];
    }
    const { listenerArn } = route;
    const { Listeners = [] } = await refusing(() =>
      client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })),
    );
    const listener = Listeners[0];
    if (listener === undefined) throw new ListenerSwitchRefusedError(`listener ${listenerArn} not found`);
    return listener.DefaultActions ?? [];
  }

  function modify(route: TrafficRoute, actions: Action[]) {
    return route.ruleArn !== undefined
      ? client.send(new ModifyRuleCommand({ RuleArn: route.ruleArn, Actions: actions }))
      : client.send(new ModifyListenerCommand({ ListenerArn: route.listenerArn, DefaultActions: actions }));
  }

  return {
    async liveTargetGroup(route) {
      return liveOf(await actionsOf(route));
    },

    async switch(route, from, to) {
      const actions = await actionsOf(route);
      const live = liveOf(actions);
      if (live === to) return;
      if (live !== from) {
        throw new ListenerSwitchRefusedError(
          `the ${route.ruleArn ? 'rule' : 'listener'} forwards to ${live ?? 'no single target group'}, not to ${from}; it was changed by someone else`,
        );
      }
      await refusing(() =>
        modify(
          route,
          actions.map((action) => retarget(action, to)),
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
