/**
 * `npm run bench aws`: per Lambda function, the bundle size and the cold start (a fresh Node process that loads
 * the bundle and handles one event against DynamoDB Local) as a ratio to `node -e 0` measured in the same run;
 * then the AWS calls, DynamoDB writes and Lambda invocations one complete release makes, and their on-demand cost.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  type Action,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  GetParameterCommand,
  GetParametersCommand,
  ParameterNotFound,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { signedHeaders } from '../handlers/slack/request-signature';
import { spawnLocalDynamo as startLocalDynamo } from '../local/dynamodb-local';
import { getTestEvent } from '../local/fixture-events';
import { APPROVER, BLUE_GREEN, configInput } from '../local/fixture-service-config';
import { lambdaEnv, STAGE_PATH } from '../local/lambda-env';
import { lambdaContext } from '../local/lambda-http';
import { readServerlessYml } from '../local/serverless-yml';
import { slackStandin } from '../local/slack-standin';
import { fakeSsm } from './fake-ssm';
import { count } from './quick';
import { skipClockTo } from './skipped-clock';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'node_modules/.cache/canary-agent-bench');
const RUNS = count(5, 1);
const WARM_REQUESTS = count(60, 5);

/** One event per function that does real work against DynamoDB Local and needs no other AWS API. */
const coldEvents: Record<string, unknown> = {
  alarm: getTestEvent('aws.cloudwatch/alarm-state-change', {
    detail: { alarmName: 'canary-orders-api-5xx' },
  }),
  ssmCommand: getTestEvent('aws.ssm/command-status-change', {
    detail: { 'document-name': 'canary-agent-dev-promote' },
  }),
  pipeline: getTestEvent('canary-agent/canary-stack-ready'),
  timer: getTestEvent('canary-agent/timer-elapsed'),
  effects: getTestEvent('canary-agent/effects-pending'),
  sweeper: { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
};

const SLACK_SECRET = 'bench-signing-secret';

/** A signed `/canary status orders-api`, as API Gateway hands it over: it reads DynamoDB and one parameter. */
function slackCommand(text = 'status orders-api') {
  const body = new URLSearchParams({
    command: '/canary',
    text,
    user_id: 'U0BENCH001',
    channel_id: 'C0RELEASES',
    trigger_id: `${Date.now()}.bench.${Math.random()}`,
    response_url: 'https://hooks.slack.com/commands/T0/1/x',
  }).toString();
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    headers: signedHeaders(SLACK_SECRET, body),
    body,
    isBase64Encoded: false,
  };
}

/** What the Slack function reads from Parameter Store, served by a loopback SSM endpoint in the cold runs. */
const slackParameters = {
  [`${STAGE_PATH}/slack/signing-secret`]: SLACK_SECRET,
  [`${STAGE_PATH}/slack/bot-token`]: 'xoxb-bench',
  [`${STAGE_PATH}/services/orders-api`]: JSON.stringify(configInput()),
  [`${STAGE_PATH}/versions/orders-api`]: '1.4.1',
};

async function bundle(name: string, handlerPath: string): Promise<string> {
  const yml = readServerlessYml() as unknown as {
    custom: { esbuild: { exclude: string[]; mainFields: string[] } };
  };
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [join(root, `${handlerPath}.ts`)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: yml.custom.esbuild.exclude,
    mainFields: yml.custom.esbuild.mainFields,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    plugins: createRequire(import.meta.url)(join(root, 'scripts/esbuild-plugins.cjs')),
    logLevel: 'error',
  });
  return outfile;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Times a fresh Node process. Asynchronous, so the loopback SSM endpoint in this process can answer it. */
async function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, cwd: outDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill(), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`cold start run failed (${code}): ${stderr}`);
  return ms;
}

async function bundlesAndColdStarts(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const dynamo = await startLocalDynamo();
  const ssm = await fakeSsm(slackParameters);
  try {
    const env = {
      ...process.env,
      ...lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint),
      AWS_ENDPOINT_URL_SSM: ssm.url,
    };
    const functions = Object.entries(readServerlessYml().functions);
    const rows: string[][] = [];
    const empty: number[] = [];
    const bundles = new Map<string, string>();
    for (const [name, fn] of functions)
      bundles.set(name, await bundle(name, fn.handler.replace(/\.handler$/, '')));
    const measured = new Map<string, number[]>();
    for (let run = 0; run <= RUNS; run++) {
      // Run 0 warms DynamoDB Local and the file cache; it is not counted.
      const e = await timeProcess(['-e', '0'], env);
      if (run > 0) empty.push(e);
      for (const [name, file] of bundles) {
        const event = name === 'slack' ? slackCommand() : (coldEvents[name] ?? {});
        // The Slack function must really answer (200 with text): a cold start that fails fast proves nothing.
        const check =
          name === 'slack'
            ? "if (r?.statusCode !== 200 || !String(r.body).includes('text')) { console.error(JSON.stringify(r)); process.exit(1); }"
            : '';
        const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
const r = await handler(${JSON.stringify(event)}, { ...${JSON.stringify(lambdaContext(name))}, getRemainingTimeInMillis: () => 30000 }).catch(() => {});
${check}`;
        const ms = await timeProcess(['--input-type=module', '-e', script], env);
        if (run > 0) measured.set(name, [...(measured.get(name) ?? []), ms]);
      }
    }
    const base = median(empty);
    for (const [name, file] of bundles) {
      const kb = statSync(file).size / 1024;
      const ms = median(measured.get(name) ?? []);
      rows.push([
        name,
        `${kb.toFixed(0)} KB`,
        kb < 1024 ? 'yes' : 'NO',
        `${ms.toFixed(0)} ms`,
        `${(ms / base).toFixed(2)}x`,
        ms / base < 3 ? 'yes' : 'NO',
      ]);
    }
    console.log(`empty process (node -e 0): ${base.toFixed(0)} ms (median of ${RUNS})\n`);
    table(['function', 'bundle', '< 1 MB', 'cold start + 1 event', 'ratio', '< 3x'], rows);
    console.log(
      '\nBundles as `npm run package` builds them (AWS SDK bundled, ES module builds). Cold start: spawn, load, one\n' +
        'event that reads DynamoDB Local, exit. For slack that is cold start to ack: its secrets and the service\n' +
        'configuration from a loopback SSM endpoint, a signed `/canary status orders-api`, the answer.',
    );
    await slackWarm(bundles.get('slack') as string, env);
  } finally {
    await ssm.stop();
    await dynamo.stop();
  }
}

/** The Slack function's warm handling time: one container, signed commands one after another. */
async function slackWarm(file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode?: number }>;
    };
    const times: Record<string, number[]> = {
      'status orders-api': [],
      help: [],
      list: [],
    };
    for (let i = 0; i < WARM_REQUESTS; i++) {
      for (const [text, list] of Object.entries(times)) {
        const started = process.hrtime.bigint();
        const response = await handler(slackCommand(text), lambdaContext('slack'));
        list.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (response.statusCode !== 200) throw new Error(`slack answered ${response.statusCode}`);
      }
    }
    console.log(`\nslack, warm (same container, after the first request; ${WARM_REQUESTS} requests each):\n`);
    table(
      ['command', 'median', 'p95'],
      Object.entries(times).map(([text, list]) => {
        const sorted = list.slice(1).sort((a, b) => a - b);
        const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN;
        return [`/canary ${text}`, `${median(sorted).toFixed(1)} ms`, `${p95.toFixed(1)} ms`];
      }),
    );
  } finally {
    process.env = saved;
  }
}

/** Counts every DynamoDB request and the write units it consumed (ReturnConsumedCapacity). */
function countDynamo(client: import('@aws-sdk/client-dynamodb').DynamoDBClient) {
  const counts = { requests: 0, writeRequests: 0, itemsWritten: 0, wcu: 0, rcu: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const out = output.output as { ConsumedCapacity?: unknown };
      const capacity = [out.ConsumedCapacity].flat().filter(Boolean) as {
        WriteCapacityUnits?: number;
        ReadCapacityUnits?: number;
        CapacityUnits?: number;
      }[];
      counts.requests++;
      const command = context.commandName ?? '';
      if (/Put|Update|Delete|TransactWrite|BatchWrite/.test(command)) {
        counts.writeRequests++;
        const items =
          (input.TransactItems as unknown[] | undefined)?.length ??
          Object.values((input.RequestItems as Record<string, unknown[]>) ?? {}).flat().length ??
          1;
        counts.itemsWritten += items || 1;
        counts.wcu += capacity.reduce((sum, c) => sum + (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0), 0);
      } else {
        counts.rcu += capacity.reduce((sum, c) => sum + (c.ReadCapacityUnits ?? c.CapacityUnits ?? 0), 0);
      }
      return output;
    },
    { step: 'initialize', name: 'countDynamo' },
  );
  return counts;
}

async function oneRelease(): Promise<void> {
  const dynamo = await startLocalDynamo();
  const slack = slackStandin({
    signingSecret: SLACK_SECRET,
    appUrl: () => 'http://127.0.0.1:9/unused',
    channel: 'C0RELEASES',
    users: [],
  });
  await slack.start();
  const saved = { ...process.env };
  try {
    Object.assign(process.env, lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint), {
      SSM_DOCUMENT_PREFIX: 'canary-agent-dev-',
      SLACK_API_URL: slack.apiUrl(),
    });
    const ssm = mockClient(SSMClient);
    const cloudWatch = mockClient(CloudWatchClient);
    const eventBridge = mockClient(EventBridgeClient);
    const scheduler = mockClient(SchedulerClient);
    const elb = mockClient(ElasticLoadBalancingV2Client);
    const lambda = mockClient(LambdaClient);
    const alarms = { canary: ['canary-orders-api-5xx'], stable: [] };
    const mirrorConfig = configInput({ alarms });
    const blueGreenConfig = configInput({
      alarms,
      fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
      blueGreen: {
        listenerArn: BLUE_GREEN.listenerArn,
        blue: { ...BLUE_GREEN.blue, alarms: ['canary-orders-api-blue-5xx'] },
        green: { ...BLUE_GREEN.green, alarms: ['canary-orders-api-green-5xx'] },
      },
    });
    let serviceConfig = mirrorConfig;
    let commands = 0;
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    ssm
      .on(GetParameterCommand, { Name: `${STAGE_PATH}/services/orders-api` })
      .callsFake(async () => ({ Parameter: { Value: JSON.stringify(serviceConfig) } }));
    // The listener as ELB describes it: all traffic to one target group, which ModifyListener replaces.
    let live: string = BLUE_GREEN.blue.targetGroupArn;
    elb.on(DescribeListenersCommand).callsFake(async () => ({
      Listeners: [
        { ListenerArn: BLUE_GREEN.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: live }] },
      ],
    }));
    elb.on(ModifyListenerCommand).callsFake(async (input: { DefaultActions?: Action[] }) => {
      live = input.DefaultActions?.[0]?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ?? live;
      return {};
    });
    ssm
      .on(GetParameterCommand, { Name: `${STAGE_PATH}/versions/orders-api` })
      .resolves({ Parameter: { Value: '1.4.1' } });
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: `${STAGE_PATH}/slack/signing-secret`, Value: SLACK_SECRET },
        { Name: `${STAGE_PATH}/slack/bot-token`, Value: 'xoxb-bench' },
      ],
    });
    ssm.on(SendCommandCommand).callsFake(async () => ({ Command: { CommandId: `cmd-${++commands}` } }));
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    scheduler.on(CreateScheduleCommand).resolves({});
    scheduler.on(DeleteScheduleCommand).resolves({});
    cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({
      MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName, StateValue: 'OK' })),
    }));

    const compose = await import('../handlers/compose');
    const handlers = {
      pipeline: (await import('../handlers/pipeline')).handler,
      ssmCommand: (await import('../handlers/ssm-command')).handler,
      timer: (await import('../handlers/timer')).handler,
      effects: (await import('../handlers/effects')).handler,
      slack: (await import('../handlers/slack')).handler,
    };
    const { store } = await compose.agent();
    const dynamoCounts = countDynamo(compose.sdkClients.dynamo);
    let invocations = 0;
    const invoke = async (name: keyof typeof handlers, event: unknown) => {
      invocations++;
      await handlers[name](event, lambdaContext(name));
    };
    const HOSTS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];
    const finish = async (document: string) => {
      const commandId = `cmd-${commands}`;
      for (const host of HOSTS) {
        await invoke(
          'ssmCommand',
          getTestEvent('aws.ssm/command-invocation-status-change', {
            id: `${commandId}-${host}`,
            detail: {
              'command-id': commandId,
              'document-name': `canary-agent-dev-${document}`,
              'instance-id': host,
            },
          }),
        );
      }
      await invoke(
        'ssmCommand',
        getTestEvent('aws.ssm/command-status-change', {
          id: `${commandId}-done`,
          detail: { 'command-id': commandId, 'document-name': `canary-agent-dev-${document}` },
        }),
      );
    };

    /** Promote, as Slack sends the click; the Slack function invokes the effects function with its hand-off. */
    const clickPromote = async (releaseId: string) => {
      const promote = new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: APPROVER },
          trigger_id: `bench.promote.${releaseId}`,
          actions: [{ type: 'button', action_id: 'canary_promote', value: releaseId, action_ts: '1' }],
          response_url: `${slack.url()}/respond/${APPROVER}`,
        }),
      }).toString();
      await invoke('slack', {
        headers: signedHeaders(SLACK_SECRET, promote),
        body: promote,
        isBase64Encoded: false,
      });
      await invoke('effects', getTestEvent('canary-agent/effects-pending', { releaseId }));
    };
    const elapseWindow = async (releaseId: string) => {
      const run = (await store.load(releaseId))?.run;
      if (run?.kind !== 'validate') throw new Error(`${releaseId} is not in a validation window`);
      skipClockTo(run.windowEndsAt);
      await invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId: run.timerId }));
    };
    const mocks = [ssm, cloudWatch, eventBridge, scheduler, elb, lambda];
    /** The calls one release makes, from a clean count. */
    const measure = async (title: string, release: () => Promise<string>) => {
      for (const mock of mocks) mock.resetHistory();
      const dynamoBefore = { ...dynamoCounts };
      const [invocationsBefore, slackBefore] = [invocations, slack.calls().length];
      const releaseId = await release();
      const final = await store.load(releaseId);
      // A refused or stuck release would print a table of zeros: fail instead, naming the state it reached.
      if (final?.state !== 'succeeded') throw new Error(`${title}: ended ${final?.state ?? 'never started'}`);
      const aws = {
        'ssm:SendCommand': ssm.commandCalls(SendCommandCommand).length,
        'ssm:GetParameter': ssm.commandCalls(GetParameterCommand).length,
        'ssm:PutParameter': ssm.calls().filter((c) => c.args[0].constructor.name === 'PutParameterCommand')
          .length,
        'cloudwatch:DescribeAlarms': cloudWatch.commandCalls(DescribeAlarmsCommand).length,
        'events:PutEvents': eventBridge.commandCalls(PutEventsCommand).length,
        'lambda:Invoke (hand-off)': lambda.commandCalls(InvokeCommand).length,
        'scheduler:CreateSchedule': scheduler.commandCalls(CreateScheduleCommand).length,
        'scheduler:DeleteSchedule': scheduler.commandCalls(DeleteScheduleCommand).length,
        'elasticloadbalancing:DescribeListeners': elb.commandCalls(DescribeListenersCommand).length,
        'elasticloadbalancing:ModifyListener': elb.commandCalls(ModifyListenerCommand).length,
      };
      const dynamo = {
        requests: dynamoCounts.requests - dynamoBefore.requests,
        writeRequests: dynamoCounts.writeRequests - dynamoBefore.writeRequests,
        itemsWritten: dynamoCounts.itemsWritten - dynamoBefore.itemsWritten,
        wcu: dynamoCounts.wcu - dynamoBefore.wcu,
        rcu: dynamoCounts.rcu - dynamoBefore.rcu,
      };
      const slackCalls = new Map<string, number>();
      for (const { method } of slack.calls().slice(slackBefore))
        slackCalls.set(method, (slackCalls.get(method) ?? 0) + 1);
      printRelease(`${title} (${final?.state})`, aws, dynamo, invocations - invocationsBefore, slackCalls);
    };

    await measure(
      'one complete mirror release: 2 canary hosts, 2 stable hosts, approval, no alarm',
      async () => {
        await invoke('pipeline', getTestEvent('canary-agent/release-requested'));
        const releaseId = (await store.activeReleaseId('orders-api')) ?? '';
        await finish('deploy-canary');
        await finish('start-mirror');
        await elapseWindow(releaseId);
        await clickPromote(releaseId);
        await finish('stop-mirror');
        await finish('promote');
        await finish('remove-canary');
        return releaseId;
      },
    );

    serviceConfig = blueGreenConfig;
    await measure('one complete blue/green release: 2 hosts per colour, approval, no alarm', async () => {
      const requested = getTestEvent<{ detail: Record<string, unknown> }>('canary-agent/release-requested', {
        id: 'bench-blue-green',
        detail: { version: '1.4.3', strategy: 'blue-green' },
      });
      // Blue/green mirrors nothing, so a percent is refused (percent-without-mirror): the fixture's must go.
      delete requested.detail.percent;
      await invoke('pipeline', requested);
      const releaseId = (await store.activeReleaseId('orders-api')) ?? '';
      await finish('deploy-idle');
      await elapseWindow(releaseId);
      await clickPromote(releaseId);
      return releaseId;
    });
    for (const mock of mocks) mock.restore();
  } finally {
    process.env = saved;
    await slack.stop();
    await dynamo.stop();
  }
}

function printRelease(
  title: string,
  aws: Record<string, number>,
  dynamo: { requests: number; writeRequests: number; itemsWritten: number; wcu: number; rcu: number },
  invocations: number,
  slackCalls: ReadonlyMap<string, number>,
): void {
  console.log(`\n${title}:\n`);
  table(
    ['API', 'calls'],
    [
      ...Object.entries(aws).map(([k, v]) => [k, String(v)]),
      ['dynamodb (all requests)', String(dynamo.requests)],
      ['dynamodb write requests', String(dynamo.writeRequests)],
      ['dynamodb items written', String(dynamo.itemsWritten)],
      ['Lambda invocations', String(invocations)],
      ...[...slackCalls].map(([method, count]) => [`slack ${method}`, String(count)]),
    ],
  );
  // On-demand prices, us-east-1, as published by AWS (Nov 2024 DynamoDB price cut): see README.
  const price = {
    wru: 0.625 / 1e6,
    rru: 0.125 / 1e6,
    lambdaRequest: 0.2 / 1e6,
    lambdaGbSecondArm: 0.0000133334,
    putEvents: 1 / 1e6,
    scheduler: 1 / 1e6,
    cloudWatchApi: 0.01 / 1000,
  };
  const wru = dynamo.wcu || dynamo.itemsWritten * 2;
  const rru = dynamo.rcu || dynamo.requests - dynamo.writeRequests;
  const lambdaSeconds = invocations * 0.2; // 200 ms at 512 MB each, a generous estimate
  const cost =
    wru * price.wru +
    rru * price.rru +
    invocations * price.lambdaRequest +
    lambdaSeconds * 0.5 * price.lambdaGbSecondArm +
    (aws['events:PutEvents'] ?? 0) * price.putEvents +
    (aws['scheduler:CreateSchedule'] ?? 0) * price.scheduler +
    (aws['cloudwatch:DescribeAlarms'] ?? 0) * price.cloudWatchApi;
  console.log(
    `\nDynamoDB consumed: ${wru.toFixed(1)} write units, ${rru.toFixed(1)} read units${dynamo.wcu ? '' : ' (estimated: 2 WRU per transactional item)'}`,
  );
  console.log(
    `cost of one release at on-demand prices: $${cost.toFixed(6)} (~$${(cost * 1000).toFixed(3)} per 1,000 releases)`,
  );
  console.log(
    'prices: DynamoDB $0.625/M write units, $0.125/M read units; Lambda $0.20/M requests + $0.0000133334/GB-s (arm64, 512 MB, 200 ms assumed);',
  );
  console.log(
    'EventBridge $1.00/M custom events; Scheduler $1.00/M invocations; CloudWatch API $0.01/1,000 requests; SSM Run Command, standard parameters and ELB API calls: no charge.',
  );
  console.log(
    `fixed: the sweeper runs 43,200 times a month: $${(43_200 * (price.lambdaRequest + 0.1 * 0.5 * price.lambdaGbSecondArm)).toFixed(3)}/month before the free tier.`,
  );
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}

export default async function run(): Promise<void> {
  await bundlesAndColdStarts();
  await oneRelease();
}
