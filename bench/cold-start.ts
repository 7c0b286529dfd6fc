/**
 * Per Lambda function: the bundle as `npm run package` builds it (serverless.yml's esbuild settings, source map
 * included) and its cold start to the answer, as a ratio to an empty `node -e 0` measured just before it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { spawnLocalDynamo as startLocalDynamo } from '../local/dynamodb-local';
import { getTestEvent } from '../local/fixture-events';
import { lambdaEnv } from '../local/lambda-env';
import { lambdaContext } from '../local/lambda-http';
import { readServerlessYml } from '../local/serverless-yml';
import { median, percentile, table } from './bench-table';
import { fakeSsm } from './fake-ssm';
import { count } from './quick';
import { slackCommand, slackParameters, slackWarm } from './slack-requests';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'node_modules/.cache/canary-agent-bench');
/** Rounds after a warm-up round; each measures every function, each right after its own empty process. */
const RUNS = count(15, 1);
const ANSWERED = 'answered';

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
  // Another's stack: answered without a CloudFormation call, which this bench cannot reach.
  canaryStack: getTestEvent('aws.cloudformation/stack-status-change', {
    detail: {
      'stack-id': 'arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api-network/5b5c2f30-0000',
    },
  }),
  // A start that watches no alarm: answered without a CloudWatch call, which this bench cannot reach.
  preflight: { ask: 'missingAlarms', names: [] },
};

interface EsbuildSettings {
  bundle: boolean;
  minify: boolean;
  sourcemap: boolean;
  target: string;
  platform: 'node';
  format: 'esm';
  outputFileExtension: string;
  exclude: string[];
  mainFields: string[];
  plugins: string;
  banner: { js: string };
}

interface LambdaFunction {
  /** Where the bundle is: its entry, with any chunks it loads beside it. */
  readonly file: string;
  /** The size of its code: the entry and its chunks (as packaged, source maps aside). */
  readonly bytes: number;
  /** NODE_OPTIONS as Lambda sets it for the function: the provider's, unless the function sets its own. */
  readonly nodeOptions: string;
}

/** Every function's bundle, built with serverless.yml's own esbuild settings (serverless-esbuild's). */
async function bundles(): Promise<Map<string, LambdaFunction>> {
  const yml = readServerlessYml() as unknown as {
    custom: { esbuild: EsbuildSettings };
    provider: { environment: Record<string, unknown> };
    functions: Record<string, { handler: string; environment?: Record<string, unknown> }>;
  };
  const settings = yml.custom.esbuild;
  const plugins = createRequire(import.meta.url)(join(root, settings.plugins));
  const built = new Map<string, LambdaFunction>();
  // COLD_START_FUNCTIONS=slack,effects measures those alone, while working on one function's cold start.
  const only = process.env.COLD_START_FUNCTIONS?.split(',');
  for (const [name, fn] of Object.entries(yml.functions)) {
    if (only && !only.includes(name)) continue;
    // One directory per function, written as serverless-esbuild writes it (outdir and outExtension), so that a
    // plugin that splits a function into chunks (scripts/esbuild-plugins.cjs) splits it here too.
    const dir = join(outDir, name);
    rmSync(dir, { recursive: true, force: true });
    const entry = join(root, `${fn.handler.replace(/\.handler$/, '')}.ts`);
    await build({
      entryPoints: [entry],
      outdir: dir,
      outExtension: { '.js': settings.outputFileExtension },
      bundle: settings.bundle,
      minify: settings.minify,
      sourcemap: settings.sourcemap,
      platform: settings.platform,
      format: settings.format,
      target: settings.target,
      external: settings.exclude,
      mainFields: settings.mainFields,
      banner: settings.banner,
      plugins,
      logLevel: 'error',
    });
    const nodeOptions = fn.environment?.NODE_OPTIONS ?? yml.provider.environment.NODE_OPTIONS ?? '';
    const file = join(dir, `${basename(entry, '.ts')}${settings.outputFileExtension}`);
    const code = readdirSync(dir).filter((f) => f.endsWith(settings.outputFileExtension));
    const bytes = code.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    built.set(name, { file, bytes, nodeOptions: String(nodeOptions) });
  }
  return built;
}

/** A run's wall time and the CPU time its process used, both until it answered. */
interface Run {
  readonly ms: number;
  readonly cpuMs: number;
}

/**
 * Spawns a fresh Node process and times it until it prints its answer line (ANSWERED and its CPU time so far).
 * Process teardown after the answer is not counted: Lambda keeps the process. Asynchronous, so the loopback
 * SSM endpoint in this process can answer it.
 */
async function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, cwd: outDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  let answeredAt: bigint | undefined;
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (answeredAt === undefined && stdout.includes('\n')) answeredAt = process.hrtime.bigint();
  });
  const timer = setTimeout(() => child.kill(), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  const cpuMs = Number(stdout.match(new RegExp(`^${ANSWERED} ([\\d.]+)$`, 'm'))?.[1]);
  if (code !== 0 || answeredAt === undefined || Number.isNaN(cpuMs)) {
    throw new Error(`cold start run failed (${code}): ${stderr}`);
  }
  return { ms: Number(answeredAt - start) / 1e6, cpuMs };
}

/**
 * The answer line, written synchronously (no stdout stream is built for it): the process's CPU time so far, on
 * every thread (process.cpuUsage).
 */
const ANSWER = `{ const u = process.cpuUsage(); require('node:fs').writeSync(1, '${ANSWERED} ' + (u.user + u.system) / 1000 + '\\n'); }`;
/** An empty process, as `node -e 0`, but for its answer line. */
const EMPTY_SCRIPT = ANSWER;

/** The child's script: load the bundle, handle one event, check the answer, say so. */
function coldScript(name: string, file: string): string {
  const event = name === 'slack' ? slackCommand() : (coldEvents[name] ?? {});
  // The Slack function must really answer `/canary status` (the fault answer is a 200 with text too): a cold start
  // that fails fast proves nothing.
  const check =
    name === 'slack'
      ? "if (r?.statusCode !== 200 || !String(r.body).includes('has no release in progress')) { console.error(JSON.stringify(r)); process.exit(1); }"
      : '';
  return `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
const r = await handler(${JSON.stringify(event)}, { ...${JSON.stringify(lambdaContext(name))}, getRemainingTimeInMillis: () => 30000 }).catch(() => {});
${check}
${ANSWER}`;
}

interface Samples {
  readonly runs: Run[];
  /** Each run's wall time divided by the empty process's run just before it, so load affects both alike. */
  readonly ratios: number[];
  /** The same with CPU times. */
  readonly cpuRatios: number[];
}

async function measure(functions: Map<string, LambdaFunction>, env: NodeJS.ProcessEnv) {
  const { NODE_OPTIONS: _, ...plainEnv } = env;
  const samples = new Map<string, Samples>(
    [...functions.keys()].map((name) => [name, { runs: [], ratios: [], cpuRatios: [] }]),
  );
  const empty: Run[] = [];
  for (let run = 0; run <= RUNS; run++) {
    // Run 0 warms DynamoDB Local and the file cache; it is not counted.
    for (const [name, fn] of functions) {
      const base = await timeProcess(['-e', EMPTY_SCRIPT], plainEnv);
      const script = coldScript(name, fn.file);
      const cold = await timeProcess(['--input-type=module', '-e', script], {
        ...env,
        NODE_OPTIONS: fn.nodeOptions,
      });
      const sample = samples.get(name);
      if (run === 0 || !sample) continue;
      empty.push(base);
      sample.runs.push(cold);
      sample.ratios.push(cold.ms / base.ms);
      sample.cpuRatios.push(cold.cpuMs / base.cpuMs);
    }
  }
  return { empty, samples };
}

const middleHalf = (values: number[], unit: string, digits: number) =>
  `${percentile(values, 0.25).toFixed(digits)}–${percentile(values, 0.75).toFixed(digits)}${unit}`;

function report(functions: Map<string, LambdaFunction>, empty: Run[], samples: Map<string, Samples>): void {
  const rows = [...functions].map(([name, fn]) => {
    const kb = fn.bytes / 1024;
    const { runs, ratios, cpuRatios } = samples.get(name) ?? { runs: [], ratios: [], cpuRatios: [] };
    return [
      name,
      `${kb.toFixed(0)} KB`,
      kb < 1024 ? 'yes' : 'NO',
      `${median(runs.map((r) => r.ms)).toFixed(0)} ms`,
      `${median(ratios).toFixed(2)}x`,
      middleHalf(ratios, 'x', 2),
      `${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms`,
      `${median(cpuRatios).toFixed(2)}x`,
      middleHalf(cpuRatios, 'x', 2),
      fn.nodeOptions || '(none)',
    ];
  });
  const [wall, cpu] = [empty.map((r) => r.ms), empty.map((r) => r.cpuMs)];
  console.log(
    `empty process (node -e, printing its CPU time): wall ${median(wall).toFixed(0)} ms (${middleHalf(wall, ' ms', 0)}), ` +
      `CPU ${median(cpu).toFixed(0)} ms (${middleHalf(cpu, ' ms', 0)}); ${empty.length} runs\n`,
  );
  const header = ['function', 'bundle', '< 1 MB', 'cold start to answer', 'ratio', 'middle half'];
  table([...header, 'CPU to answer', 'CPU ratio', 'middle half', 'NODE_OPTIONS'], rows);
  console.log(
    `\nBundles as \`npm run package\` builds them (serverless.yml's esbuild settings: AWS SDK bundled, ES module\n` +
      `builds, source maps; the size counts every chunk a bundle may load), run with each function's NODE_OPTIONS.\n` +
      'Cold start: spawn, load, one event that reads DynamoDB Local, the answer (teardown is not counted: Lambda\n' +
      `keeps the process). Ratios: medians over ${RUNS}\n` +
      'rounds of each run divided by an empty process run just before it; middle half: 25th to 75th percentile.\n' +
      'Wall time on a shared machine also counts waiting for a core and for the stand-ins (DynamoDB Local, the\n' +
      'loopback SSM endpoint in this process), starved by the same load; Lambda has neither: the CPU ratio (the\n' +
      "process's own CPU time, all threads) is the one that load does not move. The target is <= 3x, < 1 MB.\n" +
      'For slack that is cold start to ack: its secrets and the service configuration from a loopback SSM\n' +
      'endpoint, a signed `/canary status orders-api`, the answer.',
  );
}

export async function bundlesAndColdStarts(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const dynamo = await startLocalDynamo();
  const ssm = await fakeSsm(slackParameters);
  try {
    const env = {
      ...process.env,
      ...lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint),
      AWS_ENDPOINT_URL_SSM: ssm.url,
    };
    const functions = await bundles();
    const { empty, samples } = await measure(functions, env);
    report(functions, empty, samples);
    const slack = functions.get('slack');
    if (slack) await slackWarm(slack.file, env);
  } finally {
    await ssm.stop();
    await dynamo.stop();
  }
}
