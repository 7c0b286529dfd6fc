import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseServiceConfig, type ServiceConfig } from '../domain/service-config';
import { parseJsonc } from './jsonc';

/*
 * `npx tsx hosts/cli.ts check-config <file> [--alarm-prefix canary-] [--json]`: a service configuration checked
 * offline, as the agent will read it from Parameter Store, before anyone puts it there. Problems name the field
 * (the schema's own messages) and fail the command; notes are what will be refused or surprising later.
 */

/** Parameter Store's limits on a value: Standard tier 4 KB, Advanced 8 KB. */
const STANDARD_BYTES = 4096;
const ADVANCED_BYTES = 8192;

export interface ConfigCheck {
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** The configuration as Parameter Store should hold it: plain, compact JSON (present when it parsed). */
  readonly json?: string;
  readonly service?: string;
}

/**
 * Checks one configuration's text (JSON, or JSON with comments). `alarmPrefix` is the deployment's
 * `watchedAlarmPrefix`: an alarm without it never reaches the agent, and a start that watches it is refused.
 *
 * @example
 * checkConfigText('{"service": "Orders"}', 'canary-').problems // ['service: a service name such as …', …]
 */
export function checkConfigText(text: string, alarmPrefix: string): ConfigCheck {
  const parsed = parseJsonc(text);
  if (!parsed.ok) return { problems: [`(file): ${parsed.error}`], notes: [] };
  const json = JSON.stringify(parsed.value);
  const bytes = Buffer.byteLength(json, 'utf8');
  const size =
    bytes > ADVANCED_BYTES
      ? [`(file): ${bytes} bytes as JSON, over Parameter Store's 8 KB (Advanced tier) limit`]
      : [];
  const result = parseServiceConfig(parsed.value);
  if (!result.ok) return { problems: [...result.errors, ...size], notes: [] };
  const problems = [...unwatchedAlarms(result.config, alarmPrefix), ...size];
  const tier =
    bytes > STANDARD_BYTES
      ? [`${bytes} bytes as JSON: put it with --tier Advanced (the Standard tier holds 4 KB)`]
      : [];
  return { problems, notes: [...advice(result.config), ...tier], json, service: result.config.service };
}

/** Every watched alarm, by the field that names it. */
function alarmFields(config: ServiceConfig): [field: string, name: string][] {
  const listed = (field: string, names: readonly string[]) =>
    names.map((name, i): [string, string] => [`${field}.${i}`, name]);
  const colours = config.blueGreen
    ? [
        ...listed('blueGreen.blue.alarms', config.blueGreen.blue.alarms),
        ...listed('blueGreen.green.alarms', config.blueGreen.green.alarms),
      ]
    : [];
  const failover: [string, string][] = config.alarms.failover
    ? [['alarms.failover', config.alarms.failover]]
    : [];
  return [
    ...listed('alarms.canary', config.alarms.canary),
    ...listed('alarms.stable', config.alarms.stable),
    ...failover,
    ...colours,
  ];
}

function unwatchedAlarms(config: ServiceConfig, prefix: string): string[] {
  return alarmFields(config)
    .filter(([, name]) => !name.startsWith(prefix))
    .map(
      ([field, name]) =>
        `${field}: "${name}" does not start with "${prefix}", the prefix of the alarms the agent watches (deploy parameter watchedAlarmPrefix; --alarm-prefix if yours differs)`,
    );
}

/** What the agent will refuse or do that the schema accepts: said now rather than at the first `/canary start`. */
function advice(config: ServiceConfig): string[] {
  const notes: string[] = [];
  if (config.mirror.readOnlyAcknowledgedBy === undefined)
    notes.push(
      'mirror.readOnlyAcknowledgedBy is not set: mirroring (the default strategy) is refused; start with strategy=steps, or set it once someone has confirmed the service is read-only or idempotent',
    );
  if (!config.approvals.required)
    notes.push('approvals.required is false: a clean validation window promotes without a person');
  if (config.fleets.stable !== undefined && config.fleets.stable.targetGroupArns === undefined)
    notes.push(
      'fleets.stable.targetGroupArns is not set: promotion swaps hosts without taking them out of the load balancer first',
    );
  return notes;
}

/** The command: reads the file, prints problems and notes, and the plain JSON with `--json`. */
export function checkConfigCommand(args: readonly string[]): {
  exitCode: number;
  stdout: string;
  stderr: string;
} {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { 'alarm-prefix': { type: 'string', default: 'canary-' }, json: { type: 'boolean' } },
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    return {
      exitCode: 2,
      stdout: '',
      stderr: 'usage: check-config <file> [--alarm-prefix canary-] [--json]\n',
    };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `cannot read ${file}: ${(error as Error).message}\n` };
  }
  const check = checkConfigText(text, values['alarm-prefix']);
  const notes = check.notes.map((note) => `  note: ${note}\n`).join('');
  if (check.problems.length > 0) {
    const count = check.problems.length === 1 ? '1 problem' : `${check.problems.length} problems`;
    const lines = check.problems.map((problem) => `  ${problem}\n`).join('');
    return { exitCode: 1, stdout: '', stderr: `${file}: ${count}\n${lines}${notes}` };
  }
  const bytes = Buffer.byteLength(check.json ?? '', 'utf8');
  const verdict = `${file}: a valid configuration of ${check.service} (${bytes} bytes as JSON)\n${notes}`;
  return values.json
    ? { exitCode: 0, stdout: `${check.json}\n`, stderr: verdict }
    : { exitCode: 0, stdout: verdict, stderr: '' };
}
