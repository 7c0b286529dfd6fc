/**
 * `npm run bench aws`: per Lambda function, the bundle size and the cold start (a fresh Node process that loads
 * the bundle and handles one event against DynamoDB Local) as a ratio to `node -e 0` (bench/cold-start.ts); then
 * the AWS calls, DynamoDB writes and Lambda invocations one complete release makes, and their on-demand cost:
 * a mirror release, the same judged by the canary analysis every minute of its 15-minute window, and blue/green.
 */
import type { Release } from '../domain/types';
import { signedHeaders } from '../handlers/slack/request-signature';
import { spawnLocalDynamo as startLocalDynamo } from '../local/dynamodb-local';
import { getTestEvent } from '../local/fixture-events';
import { ANALYSED_ALB, APPROVER, BLUE_GREEN, configInput } from '../local/fixture-service-config';
import { lambdaEnv } from '../local/lambda-env';
import { lambdaContext } from '../local/lambda-http';
import type { SlackStandin } from '../local/slack-standin';
import { bundlesAndColdStarts } from './cold-start';
import { countDynamo, printRelease } from './release-figures';
import { mockAws } from './release-mocks';
import { skipClockTo } from './skipped-clock';
import { benchSlack, SLACK_SECRET } from './slack-requests';

const alarms = { canary: ['canary-orders-api-5xx'], stable: [] };
const ANALYSIS = { loadBalancer: ANALYSED_ALB, minimumRequests: 500 };
const CONFIGS = {
  mirror: configInput({ alarms }),
  // The same service with the canary analysis on its defaults: requests, error rate and p99, judged every minute.
  analysed: configInput({ alarms, analysis: ANALYSIS }),
  analysedEvery5Minutes: configInput({ alarms, analysis: { ...ANALYSIS, intervalSeconds: 300 } }),
  blueGreen: configInput({
    alarms,
    fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
    blueGreen: {
      listenerArn: BLUE_GREEN.listenerArn,
      blue: { ...BLUE_GREEN.blue, alarms: ['canary-orders-api-blue-5xx'] },
      green: { ...BLUE_GREEN.green, alarms: ['canary-orders-api-green-5xx'] },
    },
  }),
};

// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own event; the driver builds them right.
type Handler = (event: any, context: any) => Promise<unknown>;
type Handlers = Record<'pipeline' | 'ssmCommand' | 'timer' | 'effects' | 'slack', Handler>;

async function oneRelease(): Promise<void> {
  const dynamo = await startLocalDynamo();
  const slack = await benchSlack();
  const saved = { ...process.env };
  try {
    Object.assign(process.env, lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint), {
      SSM_DOCUMENT_PREFIX: 'canary-agent-dev-',
      SLACK_API_URL: slack.apiUrl(),
    });
    let config = CONFIGS.mirror;
    const aws = mockAws(() => config);
    const compose = await import('../handlers/compose');
    const handlers: Handlers = {
      pipeline: (await import('../handlers/pipeline')).handler,
      ssmCommand: (await import('../handlers/ssm-command')).handler,
      timer: (await import('../handlers/timer')).handler,
      effects: (await import('../handlers/effects')).handler,
      slack: (await import('../handlers/slack')).handler,
    };
    const { store } = await compose.agent();
    const drive = driver(handlers, slack, aws.lastCommandId, (id) => store.load(id));
    const measure = measurer(aws, drive, slack, compose.sdkClients.dynamo, store);
    await measure('one complete mirror release: 2 canary hosts, 2 stable hosts, approval, no alarm', () =>
      mirrorRelease(drive, store, false),
    );
    config = CONFIGS.analysed;
    await measure(
      'the same mirror release judged by the canary analysis: a 15-minute window read every minute, one chart',
      () => mirrorRelease(drive, store, true),
    );
    // CloudWatch charts GetMetricData per metric read: 6 a read, 15 reads a 15-minute window judged every minute.
    config = CONFIGS.analysedEvery5Minutes;
    await measure('the same, judged every 5 minutes (intervalSeconds: 300): 3 reads, one chart', () =>
      mirrorRelease(drive, store, true),
    );
    config = CONFIGS.blueGreen;
    await measure('one complete blue/green release: 2 hosts per colour, approval, no alarm', () =>
      blueGreenRelease(drive, store),
    );
    for (const mock of aws.mocks) mock.restore();
  } finally {
    process.env = saved;
    await slack.stop();
    await dynamo.stop();
  }
}

type Drive = ReturnType<typeof driver>;
type Store = Awaited<ReturnType<typeof import('../handlers/compose')['agent']>>['store'];

/** Runs `release` and prints what it cost: AWS calls, DynamoDB requests, invocations and Slack calls. */
function measurer(
  aws: ReturnType<typeof mockAws>,
  drive: Drive,
  slack: SlackStandin,
  dynamo: Parameters<typeof countDynamo>[0],
  store: Store,
) {
  const dynamoCounts = countDynamo(dynamo);
  return async (title: string, release: () => Promise<string>) => {
    for (const mock of aws.mocks) mock.resetHistory();
    const dynamoBefore = { ...dynamoCounts };
    const [invocationsBefore, slackBefore] = [drive.invocations(), slack.calls().length];
    const final = await store.load(await release());
    // A refused or stuck release would print a table of zeros: fail instead, naming the state it reached.
    if (final?.state !== 'succeeded') throw new Error(`${title}: ended ${final?.state ?? 'never started'}`);
    const dynamoUsed = Object.fromEntries(
      Object.entries(dynamoCounts).map(([k, v]) => [k, v - dynamoBefore[k as keyof typeof dynamoBefore]]),
    ) as typeof dynamoCounts;
    const slackCalls = new Map<string, number>();
    for (const { method } of slack.calls().slice(slackBefore))
      slackCalls.set(method, (slackCalls.get(method) ?? 0) + 1);
    printRelease(
      `${title} (${final.state})`,
      aws.calls(),
      dynamoUsed,
      drive.invocations() - invocationsBefore,
      slackCalls,
    );
  };
}

let mirrorReleases = 0;

/** A mirror release from the pipeline's request to Promote; `judged` runs each analysis interval first. */
async function mirrorRelease(drive: Drive, store: Store, judged: boolean): Promise<string> {
  // A delivery id of its own: the same id again would be refused as already handled.
  const id = `bench-mirror-${++mirrorReleases}`;
  await drive.invoke('pipeline', getTestEvent('canary-agent/release-requested', { id }));
  const releaseId = (await store.activeReleaseId('orders-api')) ?? '';
  await drive.finish('deploy-canary');
  await drive.finish('start-mirror');
  if (judged) await drive.elapseIntervals(releaseId);
  await drive.elapseWindow(releaseId);
  await drive.clickPromote(releaseId);
  for (const document of ['stop-mirror', 'promote', 'remove-canary']) await drive.finish(document);
  return releaseId;
}

/** A blue/green release: deploy the idle colour, wait out the window, Promote switches the listener. */
async function blueGreenRelease(drive: Drive, store: Store): Promise<string> {
  const requested = getTestEvent<{ detail: Record<string, unknown> }>('canary-agent/release-requested', {
    id: 'bench-blue-green',
    detail: { version: '1.4.3', strategy: 'blue-green' },
  });
  // Blue/green mirrors nothing, so a percent is refused (percent-without-mirror): the fixture's must go.
  delete requested.detail.percent;
  await drive.invoke('pipeline', requested);
  const releaseId = (await store.activeReleaseId('orders-api')) ?? '';
  await drive.finish('deploy-idle');
  await drive.elapseWindow(releaseId);
  await drive.clickPromote(releaseId);
  return releaseId;
}

/** The hosts each Run Command reaches, and reports on. */
const HOSTS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];

/** Plays the outside world back to the handlers, as AWS and Slack would send it. */
function driver(
  handlers: Handlers,
  slack: SlackStandin,
  lastCommandId: () => string,
  load: (releaseId: string) => Promise<Release | null>,
) {
  let invocations = 0;
  const invoke = async (name: keyof Handlers, event: unknown) => {
    invocations++;
    await handlers[name](event, lambdaContext(name));
  };
  const ssmResult = (kind: 'command' | 'command-invocation', id: string, detail: Record<string, string>) =>
    invoke('ssmCommand', getTestEvent(`aws.ssm/${kind}-status-change`, { id, detail }));
  const timer = (releaseId: string, timerId: string) =>
    invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId }));
  const windowOf = async (releaseId: string) => {
    const run = (await load(releaseId))?.run;
    if (run?.kind !== 'validate') throw new Error(`${releaseId} is not in a validation window`);
    return run;
  };
  return {
    invoke,
    invocations: () => invocations,
    /** Every host reports success, then the command does. */
    async finish(document: string) {
      const commandId = lastCommandId();
      const documentName = `canary-agent-dev-${document}`;
      for (const host of HOSTS)
        await ssmResult('command-invocation', `${commandId}-${host}`, {
          'command-id': commandId,
          'document-name': documentName,
          'instance-id': host,
        });
      await ssmResult('command', `${commandId}-done`, {
        'command-id': commandId,
        'document-name': documentName,
      });
    },
    /** Promote, as Slack sends the click; the Slack function invokes the effects function with its hand-off. */
    async clickPromote(releaseId: string) {
      await invoke('slack', promoteClick(releaseId, slack.url()));
      await invoke('effects', getTestEvent('canary-agent/effects-pending', { releaseId }));
    },
    /** Each analysis interval's timer, as Scheduler fires it once the interval is over. */
    async elapseIntervals(releaseId: string) {
      const seconds = (await load(releaseId))?.policy.analysis?.intervalSeconds ?? 60;
      for (let run = await windowOf(releaseId); run.analysis?.next; run = await windowOf(releaseId)) {
        skipClockTo(
          new Date(Date.parse(run.startedAt) + run.analysis.next.interval * seconds * 1000).toISOString(),
        );
        await timer(releaseId, run.analysis.next.timerId);
      }
    },
    async elapseWindow(releaseId: string) {
      const run = await windowOf(releaseId);
      skipClockTo(run.windowEndsAt);
      await timer(releaseId, run.timerId);
    },
  };
}

/** The Promote click as Slack posts it to the Slack function's URL: a signed `block_actions` payload. */
function promoteClick(releaseId: string, slackUrl: string) {
  const payload = JSON.stringify({
    type: 'block_actions',
    user: { id: APPROVER },
    trigger_id: `bench.promote.${releaseId}`,
    actions: [{ type: 'button', action_id: 'canary_promote', value: releaseId, action_ts: '1' }],
    response_url: `${slackUrl}/respond/${APPROVER}`,
  });
  const body = new URLSearchParams({ payload }).toString();
  return { headers: signedHeaders(SLACK_SECRET, body), body, isBase64Encoded: false };
}

export default async function run(): Promise<void> {
  await bundlesAndColdStarts();
  await oneRelease();
}
