import { createHmac } from 'node:crypto';
import { type Agent, request as httpsRequest } from 'node:https';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { HookCaller, HookRequest } from '../domain/ports';

/** What a card's thread shows of a hook's answer at most. */
const OUTPUT_LIMIT = 3000;
/** Lambda's errors that retrying cannot fix: the hook is missing, or the agent may not call it. */
const HOOK_MISCONFIGURED = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'InvalidParameterValueException',
  'InvalidRequestContentException',
]);

export interface HookCallerSettings {
  /** Left out where there is no Lambda (the sandbox): a Lambda hook then fails, saying so. */
  readonly lambda?: LambdaClient;
  /** The agent's prefix with its dash: hook functions are `<prefix>hook-<name>`, and no other may be invoked. */
  readonly functionPrefix: string;
  /** The secret a URL hook's body is signed with (a SecureString, `<PARAMETER_PATH>/hooks/signing-secret`). */
  readonly signingSecret: () => Promise<string>;
  /** For tests: the TLS agent that trusts a local endpoint's certificate. */
  readonly httpsAgent?: Agent;
  readonly now?: () => number;
}

/**
 * A signature a hook endpoint checks: HMAC-SHA256 of `v1:<timestamp>:<body>` with the shared secret, hex. The
 * timestamp (seconds) lets the endpoint refuse an old body replayed.
 *
 * @example
 * hookSignature('s3cret', 1764990000, '{}') // 'v1=9b…'
 */
export function hookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`v1:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Calls hooks: a Lambda function synchronously (it passes unless it errs or answers `{"passed": false}`), or an
 * HTTPS endpoint with a signed JSON body (it passes on a 2xx). Either has `timeoutSeconds` to answer.
 */
export function hookCaller(settings: HookCallerSettings): HookCaller {
  const now = settings.now ?? Date.now;

  async function callLambda(name: string, request: HookRequest, timeoutSeconds: number) {
    const { lambda } = settings;
    if (lambda === undefined) return failed(`there is no Lambda here: the hook function ${name} cannot run`);
    const payload = new TextEncoder().encode(JSON.stringify(request));
    const command = new InvokeCommand({
      FunctionName: `${settings.functionPrefix}hook-${name}`,
      InvocationType: 'RequestResponse',
      Payload: payload,
    });
    try {
      const answer = await lambda.send(command, { abortSignal: AbortSignal.timeout(timeoutSeconds * 1000) });
      const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : '';
      if (answer.FunctionError) return failed(`the function failed (${answer.FunctionError}): ${text}`);
      const said = parsed(text);
      const output = typeof said?.output === 'string' ? said.output : text;
      return said?.passed === false ? failed(output) : { passed: true, output: clip(output) };
    } catch (error) {
      if (isTimeout(error)) return failed(`no answer within ${timeoutSeconds} s`);
      if (error instanceof Error && HOOK_MISCONFIGURED.has(error.name))
        return failed(`${error.name}: ${error.message}`);
      throw error;
    }
  }

  async function callUrl(url: string, request: HookRequest, timeoutSeconds: number) {
    const body = JSON.stringify(request);
    const timestamp = Math.floor(now() / 1000);
    let secret: string;
    try {
      secret = await settings.signingSecret();
    } catch (error) {
      return failed(`the agent has no hook signing secret to sign with: ${(error as Error).message}`);
    }
    const headers = {
      'content-type': 'application/json',
      'x-canary-agent-timestamp': String(timestamp),
      'x-canary-agent-signature': hookSignature(secret, timestamp, body),
    };
    try {
      const { status, text } = await post(url, body, headers, timeoutSeconds * 1000, settings.httpsAgent);
      const said = `HTTP ${status}${text ? `: ${text}` : ''}`;
      return status >= 200 && status < 300 ? { passed: true, output: clip(said) } : failed(said);
    } catch (error) {
      return failed(isTimeout(error) ? `no answer within ${timeoutSeconds} s` : (error as Error).message);
    }
  }

  return {
    call: (target, request, timeoutSeconds) =>
      'lambda' in target
        ? callLambda(target.lambda, request, timeoutSeconds)
        : callUrl(target.url, request, timeoutSeconds),
  };
}

function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, agent?: Agent) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'POST', headers, agent, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < OUTPUT_LIMIT) text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function parsed(text: string): { passed?: unknown; output?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function failed(output: string) {
  return { passed: false, output: clip(output) };
}

function clip(text: string): string {
  return text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}…` : text;
}
