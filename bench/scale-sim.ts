/**
 * The scale simulation's process (bench/scale.bench.ts starts it): the real Lambda handlers over DynamoDB Local,
 * the Slack stand-in and AWS mocked at the SDK's transport, on a simulated clock. A process of its own, because it
 * moves `Date` forward and builds the handlers' module-scope clients from its own environment.
 */
import '../local/quiet-defaults';
import { spawnLocalDynamo } from '../local/dynamodb-local';
import { lambdaEnv } from '../local/lambda-env';
import { count, quick } from './quick';
import { countDynamo } from './release-figures';
import { mockScaleAws } from './scale-aws';
import { countDynamoByKey, storedFootprint } from './scale-dynamo';
import { seededRandom } from './scale-fleet';
import { printAws, printCost, printDynamo, printFootprint, printSlack, printStorm } from './scale-report';
import { type Handlers, type Observed, type ScaleShape, Story } from './scale-scenario';
import { Counter, World } from './scale-world';
import { benchSlack } from './slack-requests';

/** 200 services of 25 hosts (20 stable, 5 canary): 5,000 hosts; 50 releases at once; 10-minute windows. */
const SHAPE: ScaleShape = {
  services: count(200, 8),
  fleet: {
    stablePerService: count(20, 4),
    canaryPerService: 5 - count(0, 3),
    failureRate: 0.002,
    medianMs: 8000,
    sigma: 0.7,
  },
  concurrent: count(50, 4),
  windowSeconds: count(600, 300),
  stormAtSeconds: count(360, 200),
  stormEvents: count(500, 20),
  startUntilSeconds: count(1500, 420),
  endSeconds: count(2400, 900),
};

async function loadHandlers(): Promise<Handlers> {
  return {
    pipeline: (await import('../handlers/pipeline')).handler,
    ssmCommand: (await import('../handlers/ssm-command')).handler,
    timer: (await import('../handlers/timer')).handler,
    effects: (await import('../handlers/effects')).handler,
    slack: (await import('../handlers/slack')).handler,
    alarm: (await import('../handlers/alarm')).handler,
    sweeper: (await import('../handlers/sweeper')).handler,
  };
}

async function main(): Promise<void> {
  const wallStart = performance.now();
  const dynamo = await spawnLocalDynamo();
  const slack = await benchSlack();
  try {
    const tableName = await dynamo.createReleasesTable();
    Object.assign(process.env, lambdaEnv(tableName, dynamo.endpoint), { SLACK_API_URL: slack.apiUrl() });
    // A whole minute ahead of the real clock, which the simulated one may never fall behind.
    const world = new World(new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000).toISOString());
    const story = new Story(world, await loadHandlers(), SHAPE, seededRandom(19));
    const aws = mockScaleAws(world.counter, story.hooks);
    const { sdkClients } = await import('../handlers/compose');
    const totals = countDynamo(sdkClients.dynamo);
    countDynamoByKey(sdkClients.dynamo, world.counter);
    const channels = new Counter(() => world.startMs);
    const sample = sampler(world, totals, channels, () => slack.calls());
    story.begin(slack.url());
    await world.run(SHAPE.endSeconds * 1000, sample);
    const minutes = Math.max(1, world.elapsed() / 60_000);
    const footprint = await storedFootprint(sdkClients.dynamo, tableName);
    aws.restore();
    printRun(story.observed, world, minutes, (performance.now() - wallStart) / 1000);
    const figures = {
      counter: world.counter,
      channels,
      observed: story.observed,
      minutes,
      footprint,
      dynamo: totals,
    };
    for (const print of [printAws, printDynamo, printSlack, printStorm, printFootprint, printCost])
      print(figures);
  } finally {
    await slack.stop();
    await dynamo.stop();
  }
}

/** After each simulated second: the DynamoDB units and Slack calls it took, into the per-second series. */
function sampler(
  world: World,
  totals: ReturnType<typeof countDynamo>,
  channels: Counter,
  calls: () => { method: string; body: Record<string, unknown> }[],
) {
  let last = { ...totals };
  let seen = 0;
  return () => {
    world.counter.add('dynamodb:WRU', totals.wcu - last.wcu);
    world.counter.add('dynamodb:RRU', totals.rcu - last.rcu);
    last = { ...totals };
    const all = calls();
    for (const call of all.slice(seen)) {
      world.counter.add(`slack:${call.method}`);
      if (call.method === 'chat.postMessage') channels.add(String(call.body.channel));
    }
    seen = all.length;
  };
}

function printRun(observed: Observed, world: World, minutes: number, wallSeconds: number): void {
  const states = new Map<string, number>();
  for (const state of observed.states.values()) states.set(state, (states.get(state) ?? 0) + 1);
  const failed = [...world.failures].map(([name, times]) => `${name} ${times}`).join(', ') || 'none';
  console.log(
    `${quick ? 'quick: ' : ''}${SHAPE.services} services, ${SHAPE.services * (SHAPE.fleet.stablePerService + SHAPE.fleet.canaryPerService)} hosts, ` +
      `${SHAPE.concurrent} releases at once; ${observed.started} releases started over ${minutes.toFixed(1)} simulated minutes ` +
      `in ${wallSeconds.toFixed(0)} s of wall time.`,
  );
  console.log(`release states at the end: ${[...states].map(([s, k]) => `${s} ${k}`).join(', ')}`);
  console.log(`pipeline starts refused: ${observed.refused.length}; handler invocations retried: ${failed}`);
  for (const error of world.errors.slice(0, 5)) console.log(`  gave up: ${error}`);
  for (const refusal of observed.refused.slice(0, 3)) console.log(`  refused: ${refusal}`);
}

await main();
