import { DescribeListenersCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CancelCommandCommand,
  GetParameterCommand,
  PutParameterCommand,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { getTestEvent } from '../../local/fixture-events';
import { BLUE_GREEN, configInput } from '../../local/fixture-service-config';
import { BUS_ARN, STAGE_PATH } from '../../local/lambda-env';
import { handlersOnDynamo } from './handlers-on-dynamo';

/*
 * The pipeline function through the real middy handlers on DynamoDB Local, the AWS APIs mocked: a release
 * requested (mirror and blue/green), redelivered, and the canary stack reports.
 */

const { ssm, eventBridge, elb, handlers, invoke, sentCommandId, load, finish, startRelease } =
  handlersOnDynamo();

describe('the Lambda handlers (real middy handlers, DynamoDB Local, mocked AWS APIs)', () => {
  it('export (event, context) handlers', () => {
    for (const handler of Object.values(handlers)) expect(handler.length).toBe(2);
  });

  it('pipeline "Release Requested" starts a release and runs deployCanary through SSM Run Command', async () => {
    const releaseId = await startRelease();

    expect((await load(releaseId)).state).toBe('deployingCanary');
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-deploy-canary',
      Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-canary'] }],
      Parameters: expect.objectContaining({
        Service: ['orders-api'],
        ReleaseId: [releaseId],
        Version: ['1.4.2'],
        Image: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api'],
        ContainerPort: ['8080'],
      }),
      MaxConcurrency: '10%',
      MaxErrors: '0',
      TimeoutSeconds: 600,
      CloudWatchOutputConfig: {
        CloudWatchOutputEnabled: true,
        CloudWatchLogGroupName: '/canary-agent/test/host-operations',
      },
      Comment: expect.stringContaining(releaseId),
    });
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ EventBusName: BUS_ARN, DetailType: 'Release State Changed' })],
    });
  });

  it('a blue/green "Release Requested" reads the listener, deploys the idle colour, then switches the listener', async () => {
    const blueGreen = configInput({
      alarms: { canary: ['canary-orders-api-5xx'], stable: [] },
      fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
      blueGreen: {
        listenerArn: BLUE_GREEN.listenerArn,
        blue: { ...BLUE_GREEN.blue, alarms: ['canary-orders-api-blue-5xx'] },
        green: { ...BLUE_GREEN.green, alarms: ['canary-orders-api-green-5xx'] },
      },
    });
    ssm.on(GetParameterCommand, { Name: `${STAGE_PATH}/services/orders-api` }).resolves({
      Parameter: {
        Name: `${STAGE_PATH}/services/orders-api`,
        Value: JSON.stringify(blueGreen),
        Type: 'String',
      },
    });
    const forward = (targetGroupArn: string) => ({
      Listeners: [
        {
          ListenerArn: BLUE_GREEN.listenerArn,
          Port: 80,
          Protocol: 'HTTP' as const,
          DefaultActions: [
            {
              Type: 'forward' as const,
              TargetGroupArn: targetGroupArn,
              ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }] },
            },
          ],
        },
      ],
    });
    elb.on(DescribeListenersCommand).resolves(forward(BLUE_GREEN.blue.targetGroupArn));
    elb.on(ModifyListenerCommand).resolves(forward(BLUE_GREEN.green.targetGroupArn));

    const requested = getTestEvent<{ detail: Record<string, unknown> }>('canary-agent/release-requested', {
      detail: { strategy: 'blue-green' },
    });
    // The fixture asks for a mirrored share, which blue/green refuses (it does not mirror).
    expect(await invoke('pipeline', requested)).toMatchObject({ refused: 'percent-without-mirror' });
    delete requested.detail.percent;
    const { releaseId } = (await invoke('pipeline', { ...requested, id: 'blue-green-without-percent' })) as {
      releaseId: string;
    };
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-deploy-idle',
      Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-green'] }],
    });
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 0);

    await finish('deploy-idle', 0);
    expect(elb).toHaveReceivedCommandExactlyOnceWith(ModifyListenerCommand, {
      ListenerArn: BLUE_GREEN.listenerArn,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE_GREEN.green.targetGroupArn, Weight: 1 }] },
        },
      ],
    });
    const release = await load(releaseId);
    expect(release.state).toBe('verifying');
    expect(release.policy.watchedAlarms).toEqual(['canary-orders-api-green-5xx']);
  });

  it('a "mirror-then-steps" "Release Requested" plans a mirrored window at its share, then the steps it names', async () => {
    const requested = getTestEvent('canary-agent/release-requested', {
      id: 'mirror-then-steps-1',
      detail: { strategy: 'mirror-then-steps', steps: [5, 100], percent: 5 },
    });

    const { releaseId } = (await invoke('pipeline', requested)) as { releaseId: string };

    const release = await load(releaseId);
    expect(release.strategy).toEqual({
      kind: 'steps',
      steps: [5, 100],
      bakeSeconds: 900,
      mirror: { percent: 5 },
    });
    expect(release.plan.slice(0, 5).map((s) => s.state)).toEqual([
      'deployingCanary',
      'startingMirror',
      'verifying',
      'stoppingMirror',
      'shiftingTraffic',
    ]);
  });

  it('a redelivered "Release Requested" starts nothing twice', async () => {
    await startRelease();
    const again = await invoke('pipeline', getTestEvent('canary-agent/release-requested'));

    expect(again).toMatchObject({ refused: expect.stringMatching(/duplicate-request|release-busy/) });
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 1);
  });

  it('a canary stack report for another version is ignored', async () => {
    const releaseId = await startRelease();

    const result = await invoke(
      'pipeline',
      getTestEvent('canary-agent/canary-stack-failed', { detail: { version: '9.9.9' } }),
    );

    expect(result).toEqual({ ignored: 'no active release of this version' });
    expect((await load(releaseId)).state).toBe('deployingCanary');
  });

  it('"Canary Stack Ready" from the pipeline starts mirroring for an externally built stack', async () => {
    const external = configInput({
      alarms: { canary: ['canary-orders-api-5xx'], stable: [] },
      canaryStack: { provisionedBy: 'external', elbHost: 'orders-canary-123.eu-west-1.elb.amazonaws.com' },
    });
    ssm.on(GetParameterCommand, { Name: `${STAGE_PATH}/services/orders-api` }).resolves({
      Parameter: { Value: JSON.stringify(external) },
    });
    const releaseId = await startRelease();
    expect((await load(releaseId)).state).toBe('awaitingCanaryStack');
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);

    await invoke('pipeline', getTestEvent('canary-agent/canary-stack-ready'));
    await invoke('pipeline', getTestEvent('canary-agent/canary-stack-ready'));

    expect((await load(releaseId)).state).toBe('startingMirror');
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-start-mirror',
    });
  });

  it('a failed canary stack rolls back, cancelling the host command still running', async () => {
    const releaseId = await startRelease();

    await invoke('pipeline', getTestEvent('canary-agent/canary-stack-failed'));

    expect((await load(releaseId)).state).toBe('rollingBack');
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(CancelCommandCommand, {
      CommandId: await sentCommandId(0),
    });
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });
});
