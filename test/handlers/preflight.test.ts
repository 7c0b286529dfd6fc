import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvokeCommand, type InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchAlarmCatalog, cloudWatchAlarmStates } from '../../adapters/cloudwatch-alarm-reader';
import { elbListenerSwitch } from '../../adapters/elb-listener-switch';
import { lambdaPreflight, PreflightFailedError } from '../../adapters/lambda-preflight';
import { ssmInstanceCensus } from '../../adapters/ssm-instance-census';
import { surveyWith } from '../../app/plan-survey';
import { ListenerSwitchRefusedError } from '../../domain/errors';
import { preflightHandler } from '../../handlers/preflight';
import { BLUE_GREEN } from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import { holdToContract } from '../support/aws-contract';

const lambda = mockClient(LambdaClient);
const cloudWatch = mockClient(CloudWatchClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const ssm = mockClient(SSMClient);
holdToContract('cloudWatch', cloudWatch);
holdToContract('elb', elb);
holdToContract('ssm', ssm);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => {
  for (const mock of [lambda, cloudWatch, elb, ssm]) mock.restore();
});

const PREFLIGHT = 'arn:aws:lambda:eu-west-1:123456789012:function:canary-agent-test-preflight';
/** The preflight function itself, on the real CloudWatch, ELB and SSM adapters (their clients mocked). */
const handler = preflightHandler(() => ({
  alarmCatalog: cloudWatchAlarmCatalog(new CloudWatchClient({ region: 'eu-west-1' })),
  listeners: elbListenerSwitch(new ElasticLoadBalancingV2Client({ region: 'eu-west-1' })),
  survey: surveyWith(
    ssmInstanceCensus(new SSMClient({ region: 'eu-west-1' })),
    cloudWatchAlarmStates(new CloudWatchClient({ region: 'eu-west-1' })),
  ),
}));
const asked = lambdaPreflight(new LambdaClient({ region: 'eu-west-1' }), { functionName: PREFLIGHT });

/**
 * Lambda's synchronous Invoke, as its API reference documents it: 200 with the handler's result as the payload,
 * or 200 with `FunctionError: 'Unhandled'` and `{errorType, errorMessage}` when the handler throws.
 */
async function invokeForReal(input: InvokeCommandInput) {
  const event: unknown = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  try {
    const result = await handler(event, lambdaContext('preflight'));
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: encode(result) };
  } catch (error) {
    const { name, message } = error as Error;
    const Payload = encode({ errorType: name, errorMessage: message, trace: [] });
    return { StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', Payload };
  }
}

beforeEach(() => {
  for (const mock of [lambda, cloudWatch, elb, ssm]) mock.reset();
  lambda.on(InvokeCommand).callsFake(invokeForReal);
});

describe('the preflight function, asked by the Slack function', () => {
  it('names the alarms that do not exist, with one synchronous invocation and one DescribeAlarms', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'canary-orders-api-5xx', StateValue: 'OK' }],
      CompositeAlarms: [],
    });

    const missing = await asked.alarmCatalog.missing(['canary-orders-api-5xx', 'canary-orders-api-p99']);

    expect(missing).toEqual(['canary-orders-api-p99']);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: PREFLIGHT,
      InvocationType: 'RequestResponse',
    });
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
  });

  it('surveys a plan in one invocation: instances by tag (paged, online counted apart), alarm states, missing alarms', async () => {
    const instance = (id: string, PingStatus: 'Online' | 'ConnectionLost') => ({
      InstanceId: id,
      PingStatus,
      ResourceType: 'EC2Instance' as const,
    });
    ssm.on(DescribeInstanceInformationCommand).callsFake(async (input: { NextToken?: string }) =>
      input.NextToken === undefined
        ? {
            InstanceInformationList: [
              instance('i-0aaaaaaaaaaaaaaa1', 'Online'),
              instance('i-0aaaaaaaaaaaaaaa2', 'ConnectionLost'),
            ],
            NextToken: 'page-2',
          }
        : { InstanceInformationList: [instance('i-0aaaaaaaaaaaaaaa3', 'Online')] },
    );
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'canary-orders-api-5xx',
          StateValue: 'ALARM',
          StateUpdatedTimestamp: new Date('2026-11-22T13:58:00.000Z'),
        },
      ],
    });

    const answer = await asked.survey.survey({
      fleets: [{ 'canary-agent:fleet': 'orders-api-stable', team: 'orders' }],
      alarms: ['canary-orders-api-5xx', 'canary-orders-api-p99'],
    });

    expect(answer).toEqual({
      fleets: [{ all: 3, online: 2 }],
      alarms: [
        { name: 'canary-orders-api-5xx', state: 'ALARM', since: '2026-11-22T13:58:00.000Z' },
        { name: 'canary-orders-api-p99', missing: true },
      ],
    });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(ssm).toHaveReceivedNthCommandWith(DescribeInstanceInformationCommand, 2, {
      Filters: [
        { Key: 'tag:canary-agent:fleet', Values: ['orders-api-stable'] },
        { Key: 'tag:team', Values: ['orders'] },
      ],
      MaxResults: 50,
      NextToken: 'page-2',
    });
  });

  it('stops counting a huge fleet at 500 instances, and says there are more', async () => {
    ssm.on(DescribeInstanceInformationCommand).callsFake(async () => ({
      InstanceInformationList: Array.from({ length: 50 }, (_, i) => ({
        InstanceId: `i-0${String(i).padStart(16, '0')}`,
        PingStatus: 'Online',
      })),
      NextToken: 'more',
    }));

    const answer = await asked.survey.survey({ fleets: [{ 'canary-agent:fleet': 'big' }], alarms: [] });

    expect(answer.fleets).toEqual([{ all: 500, online: 500, incomplete: true }]);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 10);
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 0);
  });

  it('asks nothing when a start watches no alarm', async () => {
    expect(await asked.alarmCatalog.missing([])).toEqual([]);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  it('reads the live colour of a blue/green listener', async () => {
    elb.on(DescribeListenersCommand, { ListenerArns: [BLUE_GREEN.listenerArn] }).resolves({
      Listeners: [
        {
          ListenerArn: BLUE_GREEN.listenerArn,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: BLUE_GREEN.green.targetGroupArn }],
        },
      ],
    });

    const live = await asked.listeners.liveTargetGroup({ listenerArn: BLUE_GREEN.listenerArn });

    expect(live).toBe(BLUE_GREEN.green.targetGroupArn);
  });

  it('brings a listener that cannot be read back as the refusal the start shows, not as a failure', async () => {
    elb
      .on(DescribeListenersCommand)
      .rejects(new ListenerNotFoundException({ message: 'One or more listeners not found', $metadata: {} }));

    const error = await asked.listeners
      .liveTargetGroup({ listenerArn: BLUE_GREEN.listenerArn })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ListenerSwitchRefusedError);
    expect((error as Error).message).toContain('One or more listeners not found');
  });

  it('fails the request, naming the cause, when the function fails (throttling outlasting the retries)', async () => {
    cloudWatch
      .on(DescribeAlarmsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} }));

    const error = await asked.alarmCatalog.missing(['canary-orders-api-5xx']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PreflightFailedError);
    expect((error as Error).message).toBe(
      'the preflight function failed (Unhandled): Throttling: Rate exceeded',
    );
  });

  it('refuses a question that is not one, before any AWS call', async () => {
    const error = await handler(
      { ask: 'liveTargetGroup', route: { listenerArn: 'arn:aws:iam::1:root' } },
      lambdaContext('preflight'),
    ).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/route\.listenerArn: an ALB or NLB listener ARN/);
    expect(elb).toHaveReceivedCommandTimes(DescribeListenersCommand, 0);
  });

  it('does not take an answer to another question, or one of another shape, for an answer', async () => {
    const answering = (answer: unknown) =>
      lambda.on(InvokeCommand).callsFake(async () => ({
        StatusCode: 200,
        Payload: new TextEncoder().encode(JSON.stringify(answer)),
      }));
    answering({ ask: 'liveTargetGroup', targetGroupArn: null });
    await expect(asked.alarmCatalog.missing(['canary-a'])).rejects.toBeInstanceOf(PreflightFailedError);

    answering({ ask: 'missingAlarms', missing: 'all' });
    await expect(asked.alarmCatalog.missing(['canary-a'])).rejects.toBeInstanceOf(PreflightFailedError);
  });
});
