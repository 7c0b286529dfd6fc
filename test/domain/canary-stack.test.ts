import { describe, expect, it } from 'vitest';
import { bindCanaryStack, OUTPUT_KEYS, readStackOutputs, STACK_OUTPUT } from '../../domain/canary-stack';
import { parseServiceConfig } from '../../domain/service-config';
import { configInput, serviceConfig } from '../../local/fixture-service-config';
import { newRelease } from '../support/releases';

const TEMPLATE =
  'https://canary-agent-prod-canary-templates.s3.eu-west-1.amazonaws.com/orders-api/canary.yml';
const withStack: Parameters<typeof configInput>[0] = {
  fleets: { stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' } } },
  canaryStack: { provisionedBy: 'cloudformation', template: { url: TEMPLATE } },
  alarms: { canary: [], stable: ['orders-api-stable-health'] },
};

const errorsOf = (overrides: Parameters<typeof configInput>[0]) => {
  const parsed = parseServiceConfig(configInput(overrides));
  return parsed.ok ? [] : parsed.errors;
};

describe('a temporary canary stack in the configuration', () => {
  it('is a valid configuration with a template, no standing canary fleet and no canary alarm of its own', () => {
    expect(errorsOf(withStack)).toEqual([]);
  });

  it('names what is missing or in the way, field by field', () => {
    expect(errorsOf({ canaryStack: {} })).toEqual([
      "canaryStack.elbHost: name the canary's load balancer (elbHost), or let a temporary stack create one",
    ]);
    expect(errorsOf({ ...withStack, canaryStack: { provisionedBy: 'cloudformation' } })).toEqual([
      'canaryStack.template: a template is what a temporary stack (provisionedBy: cloudformation) is made from, and only that',
    ]);
    expect(errorsOf({ ...withStack, fleets: configInput().fleets })).toEqual([
      'fleets.canary: a temporary canary stack brings its own hosts: leave fleets.canary out',
    ]);
    expect(
      errorsOf({
        ...withStack,
        canaryStack: { provisionedBy: 'cloudformation', template: { url: 'http://example.com/t.yml' } },
      }),
    ).toEqual(['canaryStack.template.url: an https:// URL of a template in Amazon S3']);
    expect(
      errorsOf({
        ...withStack,
        canaryStack: {
          provisionedBy: 'cloudformation',
          template: { url: TEMPLATE, parameters: { Image: 'x' } },
        },
      }),
    ).toEqual([
      'canaryStack.template.parameters: Service, Version and Image are set by the agent for each release',
    ]);
    expect(errorsOf({ alarms: { canary: [], stable: [] } })).toEqual([
      'alarms.canary: name at least one alarm that judges the canary (its load balancer 5XX alarm)',
    ]);
  });
});

describe("a release's plan with a temporary canary stack", () => {
  it('creates the stack first and deletes it last, and on every way back', () => {
    const { release } = newRelease({ config: serviceConfig(withStack) });

    expect(release.plan.map((s) => s.state)).toEqual([
      'creatingCanaryStack',
      'startingMirror',
      'verifying',
      'awaitingApproval',
      'stoppingMirror',
      'promoting',
      'cleaningUp',
    ]);
    expect(release.plan.at(-1)).toMatchObject({
      kind: 'canaryStack',
      action: 'delete',
      stackName: 'canary-orders-api-r1',
    });
    expect(
      release.undo.map((s) =>
        s.kind === 'hostOperation' ? s.operation : `${s.kind}:${'action' in s ? s.action : ''}`,
      ),
    ).toEqual(['stopMirror', 'restoreStable', 'canaryStack:delete']);
    // Until the stack exists, its load balancer and its alarms are placeholders.
    expect(release.policy.watchedAlarms).toEqual([STACK_OUTPUT.alarms, 'orders-api-stable-health']);
  });

  it('puts the outputs in every place a placeholder held, in a steps release too', () => {
    const { release } = newRelease({
      config: serviceConfig({
        ...withStack,
        alarms: { canary: [], stable: ['orders-api-stable-health'], failover: 'canary-orders-failover' },
      }),
      strategy: { kind: 'steps', steps: [10, 50] },
    });

    const bound = bindCanaryStack(release, {
      stackName: 'canary-orders-api-r1',
      host: 'internal-canary-1.eu-west-1.elb.amazonaws.com',
      alarmNames: ['canary-stack-5xx', 'canary-stack-latency'],
    });

    const text = JSON.stringify([bound.plan, bound.undo, bound.policy]);
    expect(text).not.toContain(STACK_OUTPUT.host);
    expect(text).not.toContain(STACK_OUTPUT.alarms);
    const shifts = bound.plan.filter((s) => s.kind === 'hostOperation' && s.operation === 'shiftTraffic');
    expect(shifts.map((s) => s.kind === 'hostOperation' && s.parameters.CanaryHost)).toEqual([
      'internal-canary-1.eu-west-1.elb.amazonaws.com',
      'internal-canary-1.eu-west-1.elb.amazonaws.com',
    ]);
    const windows = bound.plan.filter((s) => s.kind === 'validate' && s.state === 'verifying');
    expect(windows.map((s) => s.kind === 'validate' && s.alarms)).toEqual([
      ['canary-stack-5xx', 'canary-stack-latency', 'canary-orders-failover', 'orders-api-stable-health'],
      ['canary-stack-5xx', 'canary-stack-latency', 'canary-orders-failover', 'orders-api-stable-health'],
    ]);
  });
});

describe('readStackOutputs', () => {
  const good = {
    [OUTPUT_KEYS.host]: 'Internal-Canary-1.eu-west-1.elb.amazonaws.com',
    [OUTPUT_KEYS.alarms]: ' canary-a-5xx, canary-b ',
  };

  it('reads the load balancer (lower-cased, as DNS is) and a comma-separated list of alarms', () => {
    expect(readStackOutputs(good)).toEqual({
      ok: true,
      outputs: {
        host: 'internal-canary-1.eu-west-1.elb.amazonaws.com',
        alarmNames: ['canary-a-5xx', 'canary-b'],
      },
    });
  });

  it('refuses what would reach a host or CloudWatch unchecked, and a canary judged by nothing', () => {
    expect(readStackOutputs({ ...good, [OUTPUT_KEYS.host]: 'x;reboot' })).toMatchObject({ ok: false });
    expect(readStackOutputs({ [OUTPUT_KEYS.host]: good[OUTPUT_KEYS.host] })).toMatchObject({ ok: false });
    expect(readStackOutputs({ ...good, [OUTPUT_KEYS.alarms]: 'ok,$(id)' })).toMatchObject({ ok: false });
    expect(readStackOutputs({ ...good, [OUTPUT_KEYS.targetGroup]: 'not-an-arn' })).toMatchObject({
      ok: false,
      reason: 'its output CanaryTargetGroupArn is not a target group ARN',
    });
  });
});
