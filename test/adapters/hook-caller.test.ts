import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hookCaller, hookSignature } from '../../adapters/hook-caller';
import type { HookRequest } from '../../domain/ports';
import { localCertificate } from '../support/local-tls';

/*
 * The hook caller: a Lambda function through the real SDK client (mocked with Invoke's documented answers: a
 * 200 with the function's payload, `FunctionError: "Unhandled"` with its error, a ResourceNotFoundException), and
 * a URL through a real HTTPS endpoint on loopback, with a certificate made for it.
 */

const request: HookRequest = {
  service: 'orders-api',
  releaseId: 'orders-api-r1',
  hook: 'smoke',
  point: 'beforeTraffic',
  fromVersion: '1.4.1',
  toVersion: '1.4.2',
};
const SECRET = 'hook-test-signing-secret';
const NOW = 1_764_990_000_000;

const lambda = mockClient(LambdaClient);
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
beforeEach(() => lambda.reset());

let server: Server;
let agent: Agent;
let endpoint: string;
const received: { headers: Record<string, unknown>; body: string }[] = [];
let answer: { status: number; body: string; delayMs?: number } = { status: 200, body: 'ok' };
beforeAll(async () => {
  const { key, cert } = localCertificate();
  server = createServer({ key, cert }, (req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(answer.body);
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://localhost:${(server.address() as AddressInfo).port}/canary-hook`;
  agent = new Agent({ ca: cert });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const caller = () =>
  hookCaller({
    lambda: new LambdaClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    }),
    functionPrefix: 'canary-agent-test-',
    signingSecret: async () => SECRET,
    httpsAgent: agent,
    now: () => NOW,
  });

describe('a Lambda hook', () => {
  it("invokes the agent's <prefix>-hook-<name> function with the release, and passes on its answer", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({ passed: true, output: 'all 12 checks passed' }) as never,
    });

    const result = await caller().call({ lambda: 'orders-smoke' }, request, 20);

    expect(result).toEqual({ passed: true, output: 'all 12 checks passed' });
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(sent?.FunctionName).toBe('canary-agent-test-hook-orders-smoke');
    expect(sent?.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(sent?.Payload as Uint8Array))).toEqual(request);
  });

  it('fails on passed: false, on an error the function threw, and on a function that is not there', async () => {
    lambda.on(InvokeCommand).resolvesOnce({
      StatusCode: 200,
      Payload: encode({ passed: false, output: '3 orders lost' }) as never,
    });
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: encode({ passed: false, output: '3 orders lost' }) as never })
      .resolvesOnce({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: encode({ errorType: 'Error', errorMessage: 'boom' }) as never,
      })
      .rejectsOnce(
        Object.assign(new Error('Function not found: arn:…:hook-x'), { name: 'ResourceNotFoundException' }),
      );

    const results = [
      await caller().call({ lambda: 'orders-smoke' }, request, 20),
      await caller().call({ lambda: 'orders-smoke' }, request, 20),
      await caller().call({ lambda: 'x' }, request, 20),
    ];

    expect(results).toEqual([
      { passed: false, output: '3 orders lost' },
      {
        passed: false,
        output: 'the function failed (Unhandled): {"errorType":"Error","errorMessage":"boom"}',
      },
      { passed: false, output: 'ResourceNotFoundException: Function not found: arn:…:hook-x' },
    ]);
  });

  it('throws what retrying can fix (throttled), so the effect is run again', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));

    await expect(caller().call({ lambda: 'orders-smoke' }, request, 20)).rejects.toThrow('Rate exceeded');
  });
});

describe('a URL hook', () => {
  it('posts the release as JSON, signed with the shared secret and a timestamp, and passes on a 2xx', async () => {
    answer = { status: 200, body: 'checkout ok' };

    const result = await caller().call({ url: endpoint }, request, 5);

    expect(result).toEqual({ passed: true, output: 'HTTP 200: checkout ok' });
    const got = received.at(-1);
    expect(JSON.parse(got?.body ?? '')).toEqual(request);
    expect(got?.headers['x-canary-agent-timestamp']).toBe(String(NOW / 1000));
    expect(got?.headers['x-canary-agent-signature']).toBe(hookSignature(SECRET, NOW / 1000, got?.body ?? ''));
  });

  it('fails on any other status, and on no answer in time, with what happened', async () => {
    answer = { status: 503, body: 'checkout unavailable' };
    const refused = await caller().call({ url: endpoint }, request, 5);
    answer = { status: 200, body: 'late', delayMs: 2500 };
    const slow = await caller().call({ url: endpoint }, request, 1);

    expect(refused).toEqual({ passed: false, output: 'HTTP 503: checkout unavailable' });
    expect(slow).toEqual({ passed: false, output: 'no answer within 1 s' });
  });

  it('fails, rather than trust it, an endpoint whose certificate it cannot verify', async () => {
    const untrusting = hookCaller({ functionPrefix: 'p-', signingSecret: async () => SECRET });

    const result = await untrusting.call({ url: endpoint }, request, 5);

    expect(result.passed).toBe(false);
    expect(result.output).toMatch(/certificate/i);
  });
});
