import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { signedHeaders } from '../../handlers/slack/request-signature';
import { getTestEvent } from '../../local/fixture-events';
import { APPROVER, configInput } from '../../local/fixture-service-config';
import { lambdaEnv } from '../../local/lambda-env';
import { lambdaContext } from '../../local/lambda-http';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';
import { answerAgentParameters } from '../support/agent-parameters';
import { holdToContract } from '../support/aws-contract';
import { type LocalDynamo, startLocalDynamo } from '../support/dynamodb-local';

/*
 * Outside text that tries to ping people (a mention, a broadcast, a user group, a disguised link), sent through
 * the real handlers (pipeline, alarm, the composed use cases for SSM results and a rejection, the Slack function
 * for `/canary` answers and a stale click), with every Slack Web API call captured by the Slack stand-in. None of
 * it may reach a Slack message as a live token; a genuine actor's mention still must.
 */

const INJECTED = '<@U0ATTACKER> <!channel> <!subteam^S123> <https://evil|click>';
const LIVE_TOKEN = /<@U0ATTACKER>|<!channel>|<!subteam\^S123>|<https:\/\/evil/;
const SHOWN_ESCAPED = '&lt;@U0ATTACKER&gt; &lt;!channel&gt; &lt;!subteam^S123&gt; &lt;https://evil|click&gt;';

const ssm = mockClient(SSMClient);
const cloudWatch = mockClient(CloudWatchClient);
const eventBridge = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);
holdToContract('ssm', ssm);
holdToContract('cloudWatch', cloudWatch);
holdToContract('eventBridge', eventBridge);
holdToContract('scheduler', scheduler);

const SIGNING_SECRET = 'injection-test-signing-secret';
const CHANNEL = 'C0RELEASES';
const slack: SlackStandin = slackStandin({
  signingSecret: SIGNING_SECRET,
  appUrl: () => 'http://127.0.0.1:9/unused',
  channel: CHANNEL,
  users: [],
});
const config = configInput({ alarms: { canary: ['canary-orders-api-5xx'], stable: [] } });
const savedEnv = { ...process.env };
let dynamo: LocalDynamo;
let compose: typeof import('../../handlers/compose');
let handlers: Record<'alarm' | 'pipeline' | 'ssmCommand' | 'timer', (event: unknown) => Promise<unknown>>;
let slackFunction: typeof import('../../handlers/slack')['handler'];
let commandCount = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await slack.start();
  Object.assign(process.env, lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint), {
    SLACK_API_URL: slack.apiUrl(),
  });
  compose = await import('../../handlers/compose');
  const context = (name: string) => lambdaContext(`canary-agent-test-${name}`);
  const alarm = (await import('../../handlers/alarm')).handler;
  const pipeline = (await import('../../handlers/pipeline')).handler;
  const ssmCommand = (await import('../../handlers/ssm-command')).handler;
  const timer = (await import('../../handlers/timer')).handler;
  handlers = {
    alarm: (event) => alarm(event, context('alarm')),
    pipeline: (event) => pipeline(event, context('pipeline')),
    ssmCommand: (event) => ssmCommand(event, context('ssm-command')),
    timer: (event) => timer(event, context('timer')),
  };
  slackFunction = (await import('../../handlers/slack')).handler;
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await slack.stop();
  await dynamo?.stop();
});

afterEach(() => vi.useRealTimers());

beforeEach(async () => {
  for (const mock of [ssm, cloudWatch, eventBridge, scheduler]) mock.reset();
  process.env.RELEASES_TABLE = await dynamo.createReleasesTable();
  compose.resetForTests();
  slack.reset();
  answerAgentParameters(ssm, {
    signingSecret: SIGNING_SECRET,
    botToken: 'xoxb-injection-test',
    config,
    version: '1.4.1',
  });
  ssm.on(SendCommandCommand).callsFake(async () => ({
    Command: { CommandId: `1${String(++commandCount).padStart(7, '0')}-aaaa-bbbb-cccc-dddddddddddd` },
  }));
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  scheduler
    .on(CreateScheduleCommand)
    .resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/x/y' });
  cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [{ AlarmName: 'canary-orders-api-5xx', StateValue: 'OK', StateReason: 'quiet' }],
  });
});

async function startRelease(): Promise<string> {
  const started = await handlers.pipeline(getTestEvent('canary-agent/release-requested'));
  return (started as { releaseId: string }).releaseId;
}

async function lastCommandId(): Promise<string> {
  const result = await ssm.commandCalls(SendCommandCommand).at(-1)?.returnValue;
  return (result as { Command: { CommandId: string } }).Command.CommandId;
}

/** The running host operation succeeds, as SSM reports it. */
async function finishCommand(document: string): Promise<void> {
  const commandId = await lastCommandId();
  const detail = {
    'command-id': commandId,
    'document-name': `canary-agent-test-${document}`,
    status: 'Success',
  };
  await handlers.ssmCommand(
    getTestEvent('aws.ssm/command-status-change', { id: `done-${commandId}`, detail }),
  );
}

async function mirroring(): Promise<string> {
  const releaseId = await startRelease();
  await finishCommand('deploy-canary');
  await finishCommand('start-mirror');
  return releaseId;
}

/** What `/canary <text>` answers, through the real Slack function. */
async function canary(text: string): Promise<string> {
  const body = new URLSearchParams({
    command: '/canary',
    text,
    user_id: APPROVER,
    channel_id: CHANNEL,
    team_id: 'TTEST',
    trigger_id: `${Date.now()}.canary.${text.length}`,
    response_url: `${slack.url()}/respond/${APPROVER}`,
  }).toString();
  const response = await slackFunction(
    { headers: signedHeaders(SIGNING_SECRET, body), body, isBase64Encoded: false } as never,
    lambdaContext('canary-agent-test-slack'),
  );
  expect(response.statusCode).toBe(200);
  return String(JSON.parse(response.body ?? '{}').text ?? '');
}

/** Every message Slack was asked to show: cards, thread replies and broadcasts, ephemeral answers. */
function everythingShown(answers: readonly string[]): string {
  return JSON.stringify([slack.messages(), answers]);
}

/** The injected text was shown (escaped) and never as a live token, in messages and `/canary` answers alike. */
async function expectNoLiveToken(): Promise<string> {
  const answers = [await canary('status orders-api'), await canary('history orders-api')];
  const shown = everythingShown(answers);
  expect(shown).toContain(SHOWN_ESCAPED);
  expect(shown).not.toMatch(LIVE_TOKEN);
  return shown;
}

describe('outside text never pings anyone in Slack (real handlers, Slack stand-in, DynamoDB Local)', () => {
  it('a pipeline "Canary Stack Failed" reason: card, broadcast reply and a stale Promote click', async () => {
    const releaseId = await startRelease();

    await handlers.pipeline(
      getTestEvent('canary-agent/canary-stack-failed', { detail: { reason: INJECTED } }),
    );
    const card = slack.messages().find((m) => m.channel === CHANNEL && !m.threadTs);
    const click = {
      type: 'block_actions',
      user: { id: APPROVER },
      trigger_id: '1.2.promote',
      container: { type: 'message', message_ts: card?.ts, channel_id: CHANNEL },
      actions: [{ type: 'button', action_id: 'canary_promote', value: releaseId, action_ts: '1' }],
      response_url: `${slack.url()}/respond/${APPROVER}`,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(click) }).toString();
    await slackFunction(
      { headers: signedHeaders(SIGNING_SECRET, body), body, isBase64Encoded: false } as never,
      lambdaContext('canary-agent-test-slack'),
    );

    const stale = slack.messages().find((m) => m.visibleTo === APPROVER);
    expect(stale?.text).toContain('Already rolling back: the canary stack failed: &lt;@U0ATTACKER&gt;');
    const reply = slack.messages().find((m) => m.threadTs === card?.ts);
    expect(reply?.text).toContain(`The canary stack failed: ${SHOWN_ESCAPED}`);
    await expectNoLiveToken();
  });

  it('an alarm reason: the card’s alarm list and rollback field, and the broadcast reply', async () => {
    await mirroring();

    await handlers.alarm(
      getTestEvent('aws.cloudwatch/alarm-state-change', {
        detail: { alarmName: 'canary-orders-api-5xx', state: { reason: INJECTED } },
      }),
    );

    const reply = slack.messages().find((m) => m.threadTs !== undefined);
    expect(JSON.stringify(reply?.blocks)).toContain(SHOWN_ESCAPED);
    await expectNoLiveToken();
  });

  it('a host’s command output, reported through the composed use cases', async () => {
    const releaseId = await startRelease();
    const commandId = await lastCommandId();
    const { service } = await compose.agent();

    await service.applyToCommand(
      commandId,
      {
        kind: 'hostCommandFinished',
        commandId,
        hostId: 'i-0aaaaaaaaaaaaaaa1',
        status: 'failed',
        output: INJECTED,
      },
      'host-output-1',
    );

    expect(await (await compose.agent()).store.load(releaseId)).toMatchObject({ state: 'rollingBack' });
    await expectNoLiveToken();
  });

  it('a rejection comment, while the rejecting approver is still mentioned', async () => {
    const releaseId = await mirroring();
    const { service, store } = await compose.agent();
    const run = (await store.load(releaseId))?.run;
    if (run?.kind !== 'validate') throw new Error('no validation window is running');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(run.windowEndsAt));
    await handlers.timer(getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId: run.timerId }));
    vi.useRealTimers();

    const actor = { kind: 'person', id: APPROVER } as const;
    const rejected = await service.apply(
      releaseId,
      { kind: 'rejected', actor, comment: INJECTED },
      'reject-1',
    );

    expect(rejected).toMatchObject({ ok: true, release: { state: 'rollingBack' } });
    const shown = await expectNoLiveToken();
    expect(shown).toContain(`Rejected by <@${APPROVER}>. “${SHOWN_ESCAPED}”`);
  });
});
