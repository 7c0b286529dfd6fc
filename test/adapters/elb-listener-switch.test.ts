import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RuleNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { elbListenerSwitch } from '../../adapters/elb-listener-switch';
import { ListenerSwitchRefusedError } from '../../domain/errors';
import { BLUE_GREEN } from '../../local/fixture-service-config';
import { holdToContract } from '../support/aws-contract';

const elb = mockClient(ElasticLoadBalancingV2Client);
const elbContract = holdToContract('elb', elb);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => elb.restore());
beforeEach(() => elb.reset());

const { listenerArn, ruleArn } = BLUE_GREEN;
const route = { listenerArn };
const blue = BLUE_GREEN.blue.targetGroupArn;
const green = BLUE_GREEN.green.targetGroupArn;
const listeners = elbListenerSwitch(new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }));

/** A DescribeListeners answer as the ELB API documents it: an HTTPS listener behind OIDC, forwarding to `to`. */
function describing(forward: Action) {
  elb.on(DescribeListenersCommand, { ListenerArns: [listenerArn] }).resolves({
    Listeners: [
      {
        ListenerArn: listenerArn,
        LoadBalancerArn:
          'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/orders-api/0123456789abcdef',
        Port: 443,
        Protocol: 'HTTPS',
        DefaultActions: [
          {
            Type: 'authenticate-oidc',
            Order: 1,
            AuthenticateOidcConfig: {
              Issuer: 'https://idp.example.com',
              AuthorizationEndpoint: 'https://idp.example.com/authorize',
              TokenEndpoint: 'https://idp.example.com/token',
              UserInfoEndpoint: 'https://idp.example.com/userinfo',
              ClientId: 'orders',
            },
          },
          forward,
        ],
      },
    ],
  });
}

const forwardingTo = (targetGroupArn: string): Action => ({
  Type: 'forward',
  Order: 2,
  TargetGroupArn: targetGroupArn,
  ForwardConfig: {
    TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }],
    TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
  },
});

describe('elbListenerSwitch', () => {
  it('reads the live target group from a plain or a weighted forward action', async () => {
    describing(forwardingTo(blue));
    expect(await listeners.liveTargetGroup(route)).toBe(blue);

    await elbContract.check();
    elb.reset();
    describing({
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blue, Weight: 0 },
          { TargetGroupArn: green, Weight: 10 },
        ],
      },
    });
    expect(await listeners.liveTargetGroup(route)).toBe(green);
  });

  it('reads a listener that splits traffic, or does not forward, as having no live target group', async () => {
    describing({
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blue, Weight: 50 },
          { TargetGroupArn: green, Weight: 50 },
        ],
      },
    });
    expect(await listeners.liveTargetGroup(route)).toBeNull();
    await elbContract.check();
    elb.reset();
    describing({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } });
    expect(await listeners.liveTargetGroup(route)).toBeNull();
  });

  it('switches only the forward target, keeping the other actions, the order and the stickiness', async () => {
    describing(forwardingTo(blue));
    elb.on(ModifyListenerCommand).resolves({});
    await listeners.switch(route, blue, green);

    const calls = elb.commandCalls(ModifyListenerCommand);
    expect(calls).toHaveLength(1);
    const actions = calls[0]?.args[0].input.DefaultActions ?? [];
    expect(actions[0]).toMatchObject({
      Type: 'authenticate-oidc',
      Order: 1,
      // ELB does not echo the client secret back: modifying without this flag would fail.
      AuthenticateOidcConfig: { ClientId: 'orders', UseExistingClientSecret: true },
    });
    expect(actions[1]).toEqual({
      Type: 'forward',
      Order: 2,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: green, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
      },
    });
  });

  it('does nothing when the listener already forwards to the target (a rerun after a lost report)', async () => {
    describing(forwardingTo(green));
    await listeners.switch(route, blue, green);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('refuses to move a listener that forwards somewhere it did not expect', async () => {
    const maintenance =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/maintenance/0000000000000001';
    describing(forwardingTo(maintenance));
    await expect(listeners.switch(route, blue, green)).rejects.toThrow(ListenerSwitchRefusedError);
    await expect(listeners.switch(route, blue, green)).rejects.toThrow(`forwards to ${maintenance}`);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('reports a missing listener as a refusal, and lets throttling through to be retried', async () => {
    elb
      .on(DescribeListenersCommand)
      .rejects(new ListenerNotFoundException({ message: 'One or more listeners not found', $metadata: {} }));
    await expect(listeners.liveTargetGroup(route)).rejects.toThrow(ListenerSwitchRefusedError);

    await elbContract.check();
    elb.reset();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    describing(forwardingTo(blue));
    elb.on(ModifyListenerCommand).rejects(throttled);
    const error = await listeners.switch(route, blue, green).catch((e: unknown) => e);
    expect(error).toBe(throttled);
  });

  it('switches a rule of a shared load balancer instead of the listener when the route names one', async () => {
    elb.on(DescribeRulesCommand, { RuleArns: [ruleArn] }).resolves({
      Rules: [
        {
          RuleArn: ruleArn,
          Priority: '10',
          IsDefault: false,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['orders.example.com'] } }],
          Actions: [forwardingTo(blue)],
        },
      ],
    });
    elb.on(ModifyRuleCommand).resolves({});
    const shared = { listenerArn, ruleArn };
    expect(await listeners.liveTargetGroup(shared)).toBe(blue);
    await listeners.switch(shared, blue, green);

    expect(elb).toHaveReceivedCommandWith(ModifyRuleCommand, {
      RuleArn: ruleArn,
      Actions: [
        {
          Type: 'forward',
          Order: 2,
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: green, Weight: 1 }],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
          },
        },
      ],
    });
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
    expect(elb.commandCalls(DescribeListenersCommand)).toHaveLength(0);

    await elbContract.check();
    elb.reset();
    elb
      .on(DescribeRulesCommand)
      .rejects(new RuleNotFoundException({ message: 'One or more rules not found', $metadata: {} }));
    await expect(listeners.switch(shared, blue, green)).rejects.toThrow(ListenerSwitchRefusedError);
  });
});
