/**
 * A local CloudWatch for the sandbox: GetMetricData over the AWS JSON 1.0 protocol, the one the installed
 * @aws-sdk/client-cloudwatch speaks (`X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, timestamps in
 * epoch seconds, query-compatible error codes), on loopback, so that the real `CloudWatchClient` and the real
 * adapter (adapters/cloudwatch-canary-metrics.ts) read the sandbox load balancers' figures. Only MetricStat
 * queries; metric math and the older awsQuery (form and XML) protocol are answered with an error.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudWatchClient,
  type GetMetricDataInput,
  type GetMetricDataOutput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { type Datapoint, datapoints, type MetricSource, UnsupportedStatistic } from './elb-metrics';

const TARGET = 'GraniteServiceVersion20100801.GetMetricData';
/** GetMetricData's limits (CloudWatch API reference). */
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;

/** A request CloudWatch would refuse, with the error's shape name and its query-compatible code. */
export class CloudWatchError extends Error {
  constructor(
    readonly type:
      | 'InvalidParameterValueException'
      | 'MissingRequiredParameterException'
      | 'InvalidParameterCombinationException'
      | 'InvalidNextToken',
    message: string,
  ) {
    super(message);
  }
  get queryCode(): string {
    return this.type.replace(/Exception$/, '').replace('MissingRequiredParameter', 'MissingParameter');
  }
}

/**
 * GetMetricData over `sources`, read at each call (targets and colours change). Answers in process
 * (`getMetricData`) or over HTTP once started (`client()` is a real CloudWatchClient pointed at it).
 */
export function cloudWatchStandin(options: { readonly sources: () => readonly MetricSource[] }) {
  let server: Server | undefined;

  function getMetricData(input: GetMetricDataInput): GetMetricDataOutput {
    const queries = validQueries(input);
    const startMs = input.StartTime?.getTime() ?? Number.NaN;
    const endMs = input.EndTime?.getTime() ?? Number.NaN;
    const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const sources = options.sources();
    const series = queries.map((query) => {
      const points = seriesOf(sources, query, startMs, endMs);
      return { query, points: descending ? points.reverse() : points };
    });
    return page(series, input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS, offsetOf(input.NextToken));
  }

  function url(): string {
    return `http://127.0.0.1:${(server?.address() as AddressInfo | null)?.port ?? 0}`;
  }

  return {
    getMetricData,
    url,
    /** A real CloudWatchClient that talks to this stand-in (any credentials: it checks no signature). */
    client: () =>
      new CloudWatchClient({
        endpoint: url(),
        region: 'local',
        credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
        maxAttempts: 1,
      }),
    async start(port = 0): Promise<string> {
      server = createServer((req, res) => {
        const send = (status: number, body: unknown, queryError?: string) => {
          const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0' };
          if (queryError) headers['x-amzn-query-error'] = queryError;
          res.writeHead(status, headers).end(JSON.stringify(body));
        };
        answer(req, getMetricData).then(
          ({ status, body, error }) => send(status, body, error),
          (error: unknown) => send(500, { __type: 'InternalFailure', message: String(error) }),
        );
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
      return url();
    },
    async stop(): Promise<void> {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}

export type CloudWatchStandin = ReturnType<typeof cloudWatchStandin>;

/** One HTTP request in, its status, JSON body and query-compatible error code (`Code;Sender`) out. */
async function answer(
  req: IncomingMessage,
  getMetricData: (input: GetMetricDataInput) => GetMetricDataOutput,
): Promise<{ status: number; body: unknown; error?: string }> {
  const text = await new Promise<string>((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
  try {
    if (req.headers['x-amz-target'] !== TARGET)
      throw new CloudWatchError(
        'InvalidParameterValueException',
        `The sandbox's CloudWatch answers ${TARGET} over AWS JSON 1.0 only, not ${String(req.headers['x-amz-target'] ?? 'an awsQuery form')}.`,
      );
    return { status: 200, body: toWire(getMetricData(fromWire(parse(text)))) };
  } catch (error) {
    if (!(error instanceof CloudWatchError)) throw error;
    const body = { __type: `com.amazonaws.cloudwatch#${error.type}`, message: error.message };
    return { status: 400, body, error: `${error.queryCode};Sender` };
  }
}

const PERIOD = (p: number) => [1, 5, 10, 20, 30].includes(p) || (p >= 60 && p % 60 === 0);

function validQueries(input: GetMetricDataInput): MetricDataQuery[] {
  const queries = input.MetricDataQueries;
  if (!queries || !input.StartTime || !input.EndTime)
    throw new CloudWatchError(
      'MissingRequiredParameterException',
      'MetricDataQueries, StartTime and EndTime are required.',
    );
  if (queries.length === 0 || queries.length > MAX_QUERIES)
    throw new CloudWatchError('InvalidParameterValueException', `Between 1 and ${MAX_QUERIES} queries.`);
  if (!(input.StartTime.getTime() < input.EndTime.getTime()))
    throw new CloudWatchError(
      'InvalidParameterValueException',
      'The parameter StartTime must be less than the parameter EndTime.',
    );
  if (input.ScanBy !== undefined && !['TimestampAscending', 'TimestampDescending'].includes(input.ScanBy))
    throw new CloudWatchError('InvalidParameterValueException', `ScanBy ${input.ScanBy} is not valid.`);
  const ids = new Set<string>();
  for (const query of queries) {
    if (!query.Id || !/^[a-z][a-zA-Z0-9_]{0,254}$/.test(query.Id) || ids.has(query.Id))
      throw new CloudWatchError(
        'InvalidParameterValueException',
        `The Id ${query.Id} must be unique and start with a lower-case letter, then letters, digits and _.`,
      );
    ids.add(query.Id);
    if (query.Expression !== undefined || query.MetricStat === undefined)
      throw new CloudWatchError(
        'InvalidParameterCombinationException',
        `Query ${query.Id}: the sandbox's CloudWatch answers MetricStat queries only (no metric math).`,
      );
    const period = query.MetricStat.Period ?? 0;
    if (!PERIOD(period))
      throw new CloudWatchError(
        'InvalidParameterValueException',
        `Query ${query.Id}: the period must be 1, 5, 10, 20, 30, 60 or a multiple of 60, not ${period}.`,
      );
  }
  return queries;
}

/** The source whose namespace and dimensions the query names exactly (order aside), and its datapoints. */
function seriesOf(
  sources: readonly MetricSource[],
  query: MetricDataQuery,
  startMs: number,
  endMs: number,
): Datapoint[] {
  const stat = query.MetricStat;
  const metric = stat?.Metric;
  if (stat === undefined || metric === undefined) return [];
  const wanted = Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
  const source = sources.find(
    (s) =>
      s.namespace === metric.Namespace &&
      Object.keys(s.dimensions).length === Object.keys(wanted).length &&
      Object.entries(s.dimensions).every(([name, value]) => wanted[name] === value),
  );
  if (source === undefined || metric.MetricName === undefined || stat.Stat === undefined) return [];
  try {
    return datapoints(source, {
      metricName: metric.MetricName,
      stat: stat.Stat,
      unit: stat.Unit,
      periodSeconds: stat.Period ?? 60,
      startMs,
      endMs,
    });
  } catch (error) {
    if (error instanceof UnsupportedStatistic)
      throw new CloudWatchError('InvalidParameterValueException', error.message);
    throw error;
  }
}

/**
 * One page of at most `max` datapoints, from datapoint `offset` on, taken from the results in query order. A
 * result with datapoints left for a later page is `PartialData`, and the page carries a NextToken.
 */
function page(
  series: readonly { query: MetricDataQuery; points: readonly Datapoint[] }[],
  max: number,
  offset: number,
): GetMetricDataOutput {
  let skip = offset;
  let room = max;
  const results: MetricDataResult[] = [];
  for (const { query, points } of series) {
    const from = Math.min(skip, points.length);
    skip -= from;
    const taken = points.slice(from, from + room);
    room -= taken.length;
    if (query.ReturnData === false) continue;
    results.push({
      Id: query.Id,
      Label: query.Label ?? query.MetricStat?.Metric?.MetricName,
      Timestamps: taken.map((p) => new Date(p.atMs)),
      Values: taken.map((p) => p.value),
      StatusCode: from + taken.length < points.length ? 'PartialData' : 'Complete',
    });
  }
  const total = series.reduce((sum, s) => sum + s.points.length, 0);
  const next = offset + max < total ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
  return { MetricDataResults: results, Messages: [], ...(next ? { NextToken: next } : {}) };
}

function offsetOf(token: string | undefined): number {
  if (token === undefined) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0)
    throw new CloudWatchError('InvalidNextToken', 'The NextToken is not one this CloudWatch gave.');
  return offset;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CloudWatchError('InvalidParameterValueException', 'The request body is not JSON.');
  }
}

/** AWS JSON 1.0 carries timestamps as epoch seconds. */
function fromWire(body: unknown): GetMetricDataInput {
  if (typeof body !== 'object' || body === null)
    throw new CloudWatchError('InvalidParameterValueException', 'The request body is not a JSON object.');
  const time = (value: unknown) => (typeof value === 'number' ? new Date(value * 1000) : undefined);
  return {
    ...(body as GetMetricDataInput),
    StartTime: time((body as { StartTime?: unknown }).StartTime),
    EndTime: time((body as { EndTime?: unknown }).EndTime),
  };
}

function toWire(output: GetMetricDataOutput): unknown {
  return {
    ...output,
    MetricDataResults: output.MetricDataResults?.map((result) => ({
      ...result,
      Timestamps: result.Timestamps?.map((t) => t.getTime() / 1000),
    })),
  };
}
