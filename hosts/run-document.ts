import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import * as z from 'zod';

/** What a document must look like for this runner (and for SSM): schema 2.2, one aws:runShellScript step. */
const documentSchema = z.object({
  schemaVersion: z.literal('2.2'),
  description: z.string(),
  parameters: z.record(
    z.string(),
    z.strictObject({
      type: z.literal('String'),
      description: z.string(),
      allowedPattern: z.string(),
      minChars: z.number().int().optional(),
      maxChars: z.number().int().optional(),
      default: z.string().optional(),
    }),
  ),
  mainSteps: z
    .array(
      z.object({
        action: z.literal('aws:runShellScript'),
        name: z.string(),
        inputs: z.object({ runCommand: z.array(z.string()).min(1) }),
      }),
    )
    .length(1),
});

export type CommandDocument = z.infer<typeof documentSchema>;

export class DocumentError extends Error {
  readonly code = 'INVALID_DOCUMENT';
  override name = 'DocumentError';
}

export function loadDocument(path: string): CommandDocument {
  const parsed = documentSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new DocumentError(`${path}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

export type ParameterCheck = { ok: true } | { ok: false; errors: readonly string[] };

/**
 * SSM's checks before anything runs: every declared parameter present or defaulted, no others, each within its
 * pattern.
 */
export function checkParameters(
  doc: CommandDocument,
  values: Readonly<Record<string, string>>,
): ParameterCheck {
  const errors: string[] = [];
  for (const name of Object.keys(values)) {
    if (!(name in doc.parameters)) errors.push(`${name}: not a parameter of this document`);
  }
  for (const [name, spec] of Object.entries(doc.parameters)) {
    const value = values[name] ?? spec.default;
    if (value === undefined) {
      errors.push(`${name}: missing`);
      continue;
    }
    if (spec.minChars !== undefined && value.length < spec.minChars)
      errors.push(`${name}: shorter than ${spec.minChars}`);
    if (spec.maxChars !== undefined && value.length > spec.maxChars)
      errors.push(`${name}: longer than ${spec.maxChars}`);
    if (!new RegExp(spec.allowedPattern).test(value)) {
      errors.push(`${name}: ${JSON.stringify(value)} does not match ${spec.allowedPattern}`);
    }
  }
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}

/** SSM's parameter substitution: `{{ Name }}` becomes the value, as text. Call only after `checkParameters`. */
export function substitute(doc: CommandDocument, values: Readonly<Record<string, string>>): string {
  const script = (doc.mainSteps[0]?.inputs.runCommand ?? []).join('\n');
  return script.replace(/\{\{\s*([A-Za-z0-9]+)\s*\}\}/g, (placeholder, name: string) => {
    const value = values[name] ?? doc.parameters[name]?.default;
    if (value === undefined) throw new DocumentError(`${placeholder} has no value`);
    return value;
  });
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The final one-line JSON summary, when the script printed one. */
  readonly summary: Record<string, unknown> | null;
}

export type RunOutcome = { ok: false; refused: readonly string[] } | ({ ok: true } & RunResult);

export interface RunOptions {
  /** Merged over process.env: CA_* variables point the scripts at a sandbox root (see README). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/**
 * Runs a document the way SSM Run Command does on a host: refuse parameters outside their patterns, substitute,
 * run the commands with a shell. Refusal is a value, never a run.
 */
export async function runDocument(
  path: string,
  values: Readonly<Record<string, string>>,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const doc = loadDocument(path);
  const check = checkParameters(doc, values);
  if (!check.ok) return { ok: false, refused: check.errors };
  const result = await runShell(substitute(doc, values), options);
  return { ok: true, ...result };
}

function runShell(script: string, options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 1, stdout, stderr, summary: lastJsonLine(stdout) });
    });
  });
}

function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const last = stdout.trimEnd().split('\n').at(-1);
  if (!last?.startsWith('{')) return null;
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    return null;
  }
}
