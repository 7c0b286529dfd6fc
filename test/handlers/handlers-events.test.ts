import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { ListCommandsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it, vi } from 'vitest';
import { signedHeaders } from '../../handlers/slack/request-signature';
import { getTestEvent } from '../../local/fixture-events';
import { DLQ_ARN, EFFECTS_ARN, ROLE_ARN, TIMER_ARN } from '../../local/lambda-env';
import { lambdaContext } from '../../local/lambda-http';
import { handlersOnDynamo, SIGNING_SECRET } from './handlers-on-dynamo';

/*
 * What moves a release on, through the real middy handlers on DynamoDB Local, the AWS APIs mocked: SSM results,
 * the validation timer, Promote in Slack, alarms, bad input and the sweeper.
 */

const {
  ssm,
  cloudWatch,
  eventBridge,
  scheduler,
  lambda,
  slack,
  slackFunction,
  invoke,
  sentCommandId,
  load,
  ssmEvent,
  finish,
  elapseWindow,
  startRelease,
} = handlersOnDynamo();

describe('the Lambda handlers (real middy handlers, DynamoDB Local, mocked AWS APIs)', () => {
  it('SSM results move the release on; the validation window is a one-time schedule on the agent bus', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    expect(ssm).toHaveReceivedNthCommandWith(SendCommandCommand, 2, {
      DocumentName: 'canary-agent-test-start-mirror',
      Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-stable'] }],
      Parameters: expect.objectContaining({
        MirrorPercent: ['10'],
        MirrorHost: ['orders-canary-123.eu-west-1.elb.amazonaws.com'],
      }),
    });

    await finish('start-mirror', 1);

    const release = await load(releaseId);
    expect(release.state).toBe('verifying');
    expect(scheduler).toHaveReceivedCommandExactlyOnceWith(CreateScheduleCommand, {
      Name: release.run?.kind === 'validate' ? release.run.timerId : 'no window',
      GroupName: 'canary-agent-test',
      ScheduleExpression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: expect.any(String),
      Target: {
        // The timer function itself, not the agent's bus: no pipeline can forge a timer (docs/security.md, "Who may cause what").
        Arn: TIMER_ARN,
        RoleArn: ROLE_ARN,
        Input: JSON.stringify({
          source: 'canary-agent.timers',
          releaseId,
          timerId: release.run?.kind === 'validate' && release.run.timerId,
        }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
        DeadLetterConfig: { Arn: DLQ_ARN },
      },
    });
  });

  it('a duplicated SSM result changes nothing the second time', async () => {
    await startRelease();
    await finish('deploy-canary', 0);
    await finish('deploy-canary', 0);

    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 2);
  });

  it('the timer reads the watched alarms with DescribeAlarms and waits for approval when they are quiet', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);

    await elapseWindow(releaseId);

    // Once at the start (the alarms exist), once at the window's end.
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 2);
    expect(cloudWatch).toHaveReceivedNthCommandWith(DescribeAlarmsCommand, 2, {
      AlarmNames: ['canary-orders-api-5xx'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect((await load(releaseId)).state).toBe('awaitingApproval');
  });

  it('a timer event sent before the window is over (forged, or replayed early) ends nothing', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);
    const before = await load(releaseId);
    const timerId = before.run?.kind === 'validate' ? before.run.timerId : 'no window';

    const readsBefore = cloudWatch.commandCalls(DescribeAlarmsCommand).length;

    await invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId }));

    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(readsBefore);
    expect(await load(releaseId)).toMatchObject({ state: 'verifying', version: before.version });
  });

  it('Promote in Slack is answered at once and handed to the effects function by direct invocation', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);
    await elapseWindow(releaseId);
    const card = slack.messages().find((m) => m.channel === 'C0RELEASES' && !m.threadTs);
    expect(JSON.stringify(card?.blocks)).toContain('canary_promote');
    eventBridge.resetHistory();

    const payload = {
      type: 'block_actions',
      user: { id: 'U0APPROVER1' },
      trigger_id: '123.456.promote',
      container: { type: 'message', message_ts: card?.ts, channel_id: 'C0RELEASES' },
      actions: [{ type: 'button', action_id: 'canary_promote', value: releaseId, action_ts: '1' }],
      response_url: `${slack.url()}/respond/U0APPROVER1`,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const response = await slackFunction(
      { headers: signedHeaders(SIGNING_SECRET, body), body, isBase64Encoded: false } as never,
      lambdaContext('canary-agent-test-slack'),
    );

    expect(response.statusCode).toBe(200);
    expect((await load(releaseId)).state).toBe('stoppingMirror');
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 2);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: EFFECTS_ARN,
      InvocationType: 'Event',
    });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);

    await invoke('effects', getTestEvent('canary-agent/effects-pending', { releaseId }));

    expect(ssm).toHaveReceivedLastCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-stop-mirror',
    });
    const updated = slack.messages().find((m) => m.ts === card?.ts);
    expect(JSON.stringify(updated?.blocks)).not.toContain('canary_promote');
    expect(JSON.stringify(updated?.blocks)).toContain('<@U0APPROVER1>');
  });

  it('a watched alarm in ALARM rolls the release back: Envoy off the stable hosts first', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);

    await invoke(
      'alarm',
      getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { alarmName: 'canary-orders-api-5xx' } }),
    );

    const release = await load(releaseId);
    expect(release.state).toBe('rollingBack');
    expect(ssm).toHaveReceivedLastCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-stop-mirror',
    });
  });

  it('an alarm nobody watches touches no release', async () => {
    const releaseId = await startRelease();
    const before = await load(releaseId);

    const result = await invoke(
      'alarm',
      getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { alarmName: 'canary-other-5xx' } }),
    );

    expect(result).toEqual({ releases: 0 });
    expect(await load(releaseId)).toEqual(before);
  });

  it('bad input is logged and dropped, never retried', async () => {
    const result = await invoke(
      'alarm',
      getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { state: { value: 'PANIC' } } }),
    );

    expect(result).toEqual({ dropped: true });
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('an SSM result for a command no release knows is thrown, so Lambda retries it', async () => {
    const event = ssmEvent('command', '99999999-aaaa-bbbb-cccc-dddddddddddd', 'promote');

    await expect(invoke('ssmCommand', event)).rejects.toMatchObject({ code: 'UNKNOWN_RELEASE' });
  });

  it('the sweeper recovers a lost SSM result with one ListCommands call, through the engine', async () => {
    const releaseId = await startRelease();
    ssm
      .on(ListCommandsCommand)
      .resolves({ Commands: [{ CommandId: await sentCommandId(0), Status: 'Success' }] });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 200_000);
      const swept = await invoke('sweeper', { source: 'aws.events', 'detail-type': 'Scheduled Event' });

      expect(swept).toMatchObject({ checked: 1, recovered: 1 });
    } finally {
      vi.useRealTimers();
    }
    expect(ssm).toHaveReceivedCommandWith(ListCommandsCommand, { CommandId: await sentCommandId(0) });
    expect((await load(releaseId)).state).toBe('startingMirror');
  });
});
