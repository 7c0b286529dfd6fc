import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import { cloudFormationCanaryStacks } from '../../adapters/cloudformation-canary-stacks';
import { canaryStackHandler } from '../../handlers/canary-stack';
import { getTestEvent } from '../../local/fixture-events';
import { serviceConfig } from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import { startOrders } from '../app/scenarios-fixtures';
import { cloudFormationStandin } from '../support/cloudformation-standin';
import { harness } from '../support/harness';

/*
 * The canaryStack function: CloudFormation's documented "Stack Status Change" event, the real CloudFormation adapter
 * and SDK client against the Query API on loopback, and the release service of the test composition.
 */

const PREFIX = 'canary-agent-test-';
const HOST = 'internal-canary-orders-1234567890.eu-west-1.elb.amazonaws.com';
const ALARM = 'canary-canary-agent-test-canary-orders-api-r1-5xx';

/** Each test's own CloudFormation (releases in every test have the same id, so their stacks the same name). */
const standins: Awaited<ReturnType<typeof cloudFormationStandin>>[] = [];
afterEach(async () => {
  for (const standin of standins.splice(0)) await standin.stop();
});

/** A release of orders-api with its own stack, created in CloudFormation as the effects function asked. */
async function startedWithStack() {
  const h = harness({
    configs: [
      serviceConfig({
        fleets: { stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' } } },
        canaryStack: {
          provisionedBy: 'cloudformation',
          template: { url: 'https://templates.s3.eu-west-1.amazonaws.com/orders-api/canary.yml' },
        },
        alarms: { canary: [], stable: [] },
      }),
    ],
  });
  const cfn = await cloudFormationStandin();
  standins.push(cfn);
  const client = new CloudFormationClient({
    endpoint: cfn.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const stacks = cloudFormationCanaryStacks(client, {
    stackPrefix: PREFIX,
    roleArn: 'arn:aws:iam::123456789012:role/r',
  });
  const id = await startOrders(h);
  const [created] = h.stacks.requests;
  if (created?.action !== 'create') throw new Error('no stack was created');
  await stacks.create(created);
  const handler = canaryStackHandler(
    async () => ({ service: h.service, store: h.store }),
    stacks,
    () => PREFIX,
  );
  const name = `${PREFIX}${created.stackName}`;
  const stack = cfn.stackNamed(name);
  if (!stack) throw new Error('CloudFormation has no such stack');
  const event = (status: string, id = `evt-${status}`) =>
    getTestEvent('aws.cloudformation/stack-status-change', {
      id,
      detail: { 'stack-id': stack.id, 'status-details': { status, 'status-reason': '' } },
    });
  const invoke = (e: unknown) => handler(e, lambdaContext('canary-agent-test-canaryStack'));
  return { h, cfn, id, name, event, invoke };
}

describe('the canaryStack function', () => {
  it('takes a created stack’s outputs from CloudFormation and starts the mirror to its load balancer', async () => {
    const { h, cfn, id, name, event, invoke } = await startedWithStack();
    cfn.settle(name, 'CREATE_COMPLETE', {
      outputs: { CanaryLoadBalancerDNSName: HOST, CanaryAlarmNames: ALARM },
    });

    const result = await invoke(event('CREATE_COMPLETE'));

    expect(result).toEqual({ releaseId: id, changed: true, state: 'startingMirror' });
    expect(h.lastCommand('startMirror').operation.parameters.MirrorHost).toBe(HOST);
    expect((await h.load(id)).policy.watchedAlarms).toEqual([ALARM]);
  });

  it('believes CloudFormation, not the event: a forged "complete" for a stack still at work moves nothing', async () => {
    const { h, id, event, invoke } = await startedWithStack();
    const before = await h.load(id);

    const result = await invoke(event('CREATE_COMPLETE', 'forged-1'));

    expect(result).toEqual({ ignored: 'still in progress' });
    expect(await h.load(id)).toEqual(before);
  });

  it("rolls back on a stack that rolled back, with the failed resource's reason, and deletes it", async () => {
    const { h, cfn, id, name, event, invoke } = await startedWithStack();
    cfn.settle(name, 'ROLLBACK_COMPLETE', {
      events: [
        { logicalId: name, type: 'AWS::CloudFormation::Stack', status: 'ROLLBACK_COMPLETE' },
        {
          logicalId: 'CanaryListener',
          type: 'AWS::ElasticLoadBalancingV2::Listener',
          status: 'CREATE_FAILED',
          reason: 'Resource creation cancelled',
        },
        {
          logicalId: 'CanaryGroup',
          type: 'AWS::AutoScaling::AutoScalingGroup',
          status: 'CREATE_FAILED',
          reason: 'You are not authorized to use launch template lt-0a1b',
        },
      ],
    });

    await invoke(event('ROLLBACK_COMPLETE'));

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toEqual({
      kind: 'canaryStackFailed',
      reason:
        'CanaryGroup (AWS::AutoScaling::AutoScalingGroup): You are not authorized to use launch template lt-0a1b',
    });
    expect(h.stacks.requests.at(-1)).toMatchObject({ action: 'delete' });
  });

  it('ignores the stacks of others without asking CloudFormation, and drops an event that is not one', async () => {
    const { cfn, invoke } = await startedWithStack();
    const asked = cfn.requests.length;
    const foreign = getTestEvent('aws.cloudformation/stack-status-change', {
      detail: {
        'stack-id': 'arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-network/5b5c2f30-0000',
      },
    });

    expect(await invoke(foreign)).toEqual({ ignored: 'not one of the agent’s stacks' });
    expect(cfn.requests.length).toBe(asked);
    await expect(invoke({ source: 'aws.cloudformation', detail: {} })).resolves.toMatchObject({
      dropped: true,
    });
  });
});
