import { describe, expect, it } from 'vitest';
import { requestToken } from '../../app/canary-stack-effects';
import { OUTPUT_KEYS, STACK_OUTPUT } from '../../domain/canary-stack';
import type { CanaryStackReport } from '../../domain/ports';
import { serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, operations, requester, startOrders } from './scenarios-fixtures';

/*
 * A release that creates its own canary stack (canaryStack.provisionedBy: cloudformation), played through the
 * release service: the harness's CloudFormation settles a stack when a test says so, and the test hands the engine
 * what CloudFormation then says, as the canaryStack function does after a status event.
 */

const TEMPLATE =
  'https://canary-agent-prod-canary-templates.s3.eu-west-1.amazonaws.com/orders-api/canary.yml';
const STACK = 'canary-orders-api-r1';
const HOST = 'internal-canary-orders-1234567890.eu-west-1.elb.amazonaws.com';
const STACK_ALARM = 'canary-canary-agent-prod-canary-orders-api-r1-5xx';
const OUTPUTS = {
  [OUTPUT_KEYS.host]: HOST,
  [OUTPUT_KEYS.alarms]: STACK_ALARM,
  [OUTPUT_KEYS.targetGroup]:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/canary-orders/73e2d6bc24d8a067',
};

function stackHarness(overrides: Parameters<typeof serviceConfig>[0] = {}) {
  return harness({
    configs: [
      serviceConfig({
        fleets: { stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' } } },
        canaryStack: {
          provisionedBy: 'cloudformation',
          template: { url: TEMPLATE, parameters: { VpcId: 'vpc-0a1b2c3d', InstanceCount: '2' } },
        },
        alarms: { canary: [], stable: ['orders-api-stable-health'] },
        ...overrides,
      }),
    ],
  });
}
type Stacked = ReturnType<typeof stackHarness>;

/** CloudFormation finishes with the stack, and says so (the canaryStack function's part). */
async function settle(h: Stacked, report: CanaryStackReport, eventId = `cfn-${report.status}`) {
  h.stacks.settle(STACK, report);
  return h.service.canaryStackChanged(STACK, report, eventId);
}

async function toWindow(h: Stacked, id: string) {
  await settle(h, { status: 'created', outputs: OUTPUTS });
  await h.finishCommand('startMirror');
  return h.load(id);
}

describe('a release with a temporary canary stack', () => {
  it('creates the stack from the template, mirrors to its load balancer, judges by its alarm, and deletes it after promotion', async () => {
    const h = stackHarness();
    const id = await startOrders(h);

    // Created from the service's template: its own parameters, the release's, one token per step.
    expect((await h.load(id)).state).toBe('creatingCanaryStack');
    expect(h.stacks.requests).toEqual([
      expect.objectContaining({
        action: 'create',
        stackName: STACK,
        templateUrl: TEMPLATE,
        parameters: {
          VpcId: 'vpc-0a1b2c3d',
          InstanceCount: '2',
          Service: 'orders-api',
          Version: '1.4.2',
          Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:1.4.2',
        },
        timeoutMinutes: 30,
        token: requestToken(`${id}.1`),
        tags: { 'canary-agent:release': id, 'canary-agent:service': 'orders-api' },
      }),
    ]);

    const verifying = await toWindow(h, id);

    // The outputs took the placeholders' places: the mirror's host, the window's and the release's alarms.
    expect(h.lastCommand('startMirror').operation.parameters.MirrorHost).toBe(HOST);
    expect(verifying.state).toBe('verifying');
    expect(verifying.run?.kind === 'validate' && verifying.run.step.alarms).toEqual([
      STACK_ALARM,
      'orders-api-stable-health',
    ]);
    expect(verifying.policy.watchedAlarms).toEqual([STACK_ALARM, 'orders-api-stable-health']);
    expect(verifying.canaryStack).toEqual({
      stackName: STACK,
      host: HOST,
      alarmNames: [STACK_ALARM],
      targetGroupArn: OUTPUTS[OUTPUT_KEYS.targetGroup],
    });

    await h.elapseWindow(id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('stopMirror');
    await h.finishCommand('promote');
    expect((await h.load(id)).state).toBe('cleaningUp');
    expect(h.stacks.requests.at(-1)).toMatchObject({ action: 'delete', stackName: STACK });

    await settle(h, { status: 'deleted' });

    const release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(release.exposure).not.toContain('canaryStackCreated');
    expect(operations(h)).toEqual(['startMirror', 'stopMirror', 'promote']);
    expect(h.recordedVersions).toEqual([{ service: 'orders-api', version: '1.4.2' }]);
  });

  it("rolls back when the stack's own alarm fires: the stable hosts back on their nginx, then the stack deleted", async () => {
    const h = stackHarness();
    const id = await startOrders(h);
    await toWindow(h, id);

    await h.service.alarmChanged(
      { alarmName: STACK_ALARM, state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint', at: h.now() },
      'alarm-1',
    );
    expect((await h.load(id)).state).toBe('rollingBack');
    await h.finishCommand('stopMirror');
    expect(h.stacks.requests.at(-1)).toMatchObject({ action: 'delete', stackName: STACK });
    await settle(h, { status: 'deleted' });

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'alarm', alarmName: STACK_ALARM });
    expect(release.exposure).toEqual([]);
    // The stable fleet never ran the new version: nothing to put back there.
    expect(operations(h)).toEqual(['startMirror', 'stopMirror']);
  });

  it('waits for a stack being created when aborted, then deletes it', async () => {
    const h = stackHarness();
    const id = await startOrders(h);

    await h.service.apply(id, { kind: 'abortRequested', actor: requester });
    const waiting = await h.load(id);
    expect(waiting.state).toBe('rollingBack');
    expect(waiting.run).toMatchObject({ kind: 'canaryStack', cancelRequested: true });
    expect(h.stacks.requests.map((r) => r.action)).toEqual(['create']);

    await settle(h, { status: 'created', outputs: OUTPUTS });
    expect(h.stacks.requests.map((r) => r.action)).toEqual(['create', 'delete']);
    await settle(h, { status: 'deleted' });

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toEqual({ kind: 'aborted', by: requester.id });
    // Nothing ran on the stable hosts: there was nothing to undo there.
    expect(operations(h)).toEqual([]);
  });

  it("rolls back with CloudFormation's reason when the stack does not come up, and deletes what it left", async () => {
    const h = stackHarness();
    const id = await startOrders(h);
    const reason = 'CanaryGroup (AWS::AutoScaling::AutoScalingGroup): Received 0 SUCCESS signal(s) out of 2';

    await settle(h, { status: 'createFailed', reason });
    await settle(h, { status: 'deleted' });

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toEqual({ kind: 'canaryStackFailed', reason });
    expect(h.notices.map((n) => n.notice.notice)).toContainEqual({
      kind: 'canaryStackCreateFailed',
      stackName: STACK,
      reason,
      leadsTo: 'rollingBack',
    });
    expect(operations(h)).toEqual([]);
  });

  it('rolls back, without waiting, when CloudFormation refuses the template, and learns there is nothing to delete', async () => {
    const h = harness({
      configs: stackHarnessConfigs(),
      stacks: { refuse: () => 'Parameters: [SubnetIds] must have values' },
    });
    const id = await startOrders(h);

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toEqual({
      kind: 'canaryStackFailed',
      reason: 'Parameters: [SubnetIds] must have values',
    });
    expect(h.stacks.requests.map((r) => r.action)).toEqual(['create', 'delete']);
  });

  it('refuses outputs it cannot use, as a failed create: a host that is no DNS name reaches no host', async () => {
    const h = stackHarness();
    const id = await startOrders(h);

    await settle(h, { status: 'created', outputs: { ...OUTPUTS, [OUTPUT_KEYS.host]: 'x; rm -rf /' } });
    await settle(h, { status: 'deleted' });

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toEqual({
      kind: 'canaryStackFailed',
      reason: 'it was created, but its output CanaryLoadBalancerDNSName is not a DNS name (got one)',
    });
    expect(h.commands).toEqual([]);
  });

  it('succeeds with a warning that names the stack when its deletion fails after promotion', async () => {
    const h = stackHarness({ approvals: { required: false } });
    const id = await startOrders(h);
    await toWindow(h, id);
    await h.elapseWindow(id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('promote');

    await settle(h, { status: 'deleteFailed', reason: 'CanaryTargetGroup: resource is in use' });

    const release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(release.warnings).toEqual([
      `The canary stack ${STACK} could not be deleted (CanaryTargetGroup: resource is in use): delete it in CloudFormation by hand.`,
    ]);
  });

  it("checks at the start only the alarms that exist before the release: the stack's come with it", async () => {
    const h = stackHarness();
    h.deleteAlarm('orders-api-stable-health');
    // CloudWatch knows no alarm by the placeholder's name: asked, it would call it missing.
    h.deleteAlarm(STACK_OUTPUT.alarms);

    const refused = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
    });

    expect(refused).toMatchObject({ ok: false, reason: 'missing-alarms' });
    expect(!refused.ok && refused.message).toContain('do not exist in CloudWatch: orders-api-stable-health.');
  });

  it('takes a repeated or late word from CloudFormation as no change', async () => {
    const h = stackHarness();
    const id = await startOrders(h);
    await toWindow(h, id);
    const before = await h.load(id);

    const again = await settle(h, { status: 'created', outputs: OUTPUTS }, 'cfn-created-again');
    const stale = await settle(h, { status: 'deleted' }, 'cfn-deleted-early');
    const foreign = await h.service.canaryStackChanged('orders-api-network', { status: 'deleted' }, 'x');

    expect(again).toMatchObject({ ok: true, changed: false });
    expect(stale).toMatchObject({ ok: true, changed: false });
    expect(foreign).toBeNull();
    expect(await h.load(id)).toEqual(before);
  });
});

function stackHarnessConfigs() {
  return [
    serviceConfig({
      fleets: { stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' } } },
      canaryStack: { provisionedBy: 'cloudformation', template: { url: TEMPLATE } },
      alarms: { canary: [], stable: ['orders-api-stable-health'] },
    }),
  ];
}
