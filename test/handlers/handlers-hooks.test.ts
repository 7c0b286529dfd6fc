import { createServer, globalAgent, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookSignature } from '../../adapters/hook-caller';
import type { ServiceConfigInput } from '../../domain/service-config';
import { configInput } from '../../local/fixture-service-config';
import { STAGE_PATH } from '../../local/lambda-env';
import { localCertificate } from '../support/local-tls';
import { handlersOnDynamo } from './handlers-on-dynamo';

/*
 * Hooks through the real handlers on DynamoDB Local: a Lambda hook (Invoke mocked with its documented answers), a
 * URL hook (a real HTTPS endpoint on loopback, its body signed with the SecureString from Parameter Store), and a
 * document hook (SendCommand of the team's own document, held to SSM's model).
 */

const { ssm, lambda, finish, load, startRelease } = handlersOnDynamo();
const HOOK_SECRET = 'hooks-handler-test-secret';

let server: Server;
let url: string;
const posted: { headers: Record<string, unknown>; body: string }[] = [];
let status = 200;
const savedCa = globalAgent.options.ca;
beforeAll(async () => {
  const { key, cert } = localCertificate();
  server = createServer({ key, cert }, (req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      posted.push({ headers: req.headers, body });
      res.writeHead(status);
      res.end(status === 200 ? 'fine' : 'checkout is down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}/hook`;
  // The Lambda composition calls URLs with Node's own agent: here it trusts the endpoint's certificate.
  globalAgent.options.ca = cert;
});
afterAll(async () => {
  globalAgent.options.ca = savedCa;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** orders-api with these hooks, as Parameter Store holds it; and the URL hooks' signing secret. */
function configure(hooks: ServiceConfigInput['hooks']) {
  const name = `${STAGE_PATH}/services/orders-api`;
  const config = configInput({ alarms: { canary: ['canary-orders-api-5xx'], stable: [] }, hooks });
  ssm.on(GetParameterCommand, { Name: name }).resolves({
    Parameter: { Name: name, Value: JSON.stringify(config), Type: 'String' },
  });
  const secret = `${STAGE_PATH}/hooks/signing-secret`;
  ssm.on(GetParameterCommand, { Name: secret, WithDecryption: true }).resolves({
    Parameter: { Name: secret, Value: HOOK_SECRET, Type: 'SecureString' },
  });
}
const documents = () => ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input.DocumentName);

describe('hooks through the handlers', () => {
  it('calls a Lambda hook before traffic and starts the mirror once it passes', async () => {
    configure([{ name: 'smoke', at: 'beforeTraffic', lambda: 'orders-smoke', timeoutSeconds: 20 }]);
    lambda.on(InvokeCommand, { FunctionName: 'canary-agent-test-hook-orders-smoke' }).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode(JSON.stringify({ passed: true, output: '12 checks' })) as never,
    });
    const id = await startRelease();

    await finish('deploy-canary', 0);

    const invoked = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(invoked).toContainEqual(
      expect.objectContaining({
        FunctionName: 'canary-agent-test-hook-orders-smoke',
        InvocationType: 'RequestResponse',
      }),
    );
    expect((await load(id)).state).toBe('startingMirror');
    expect(documents()).toEqual(['canary-agent-test-deploy-canary', 'canary-agent-test-start-mirror']);
  });

  it('rolls back on a failing URL hook, having signed what it posted', async () => {
    configure([{ name: 'checkout', at: 'beforeTraffic', url, timeoutSeconds: 10 }]);
    status = 503;
    const id = await startRelease();

    await finish('deploy-canary', 0);

    const sent = posted.at(-1);
    const timestamp = Number(sent?.headers['x-canary-agent-timestamp']);
    expect(sent?.headers['x-canary-agent-signature']).toBe(
      hookSignature(HOOK_SECRET, timestamp, sent?.body ?? ''),
    );
    expect(JSON.parse(sent?.body ?? '')).toMatchObject({
      releaseId: id,
      hook: 'checkout',
      point: 'beforeTraffic',
    });
    const release = await load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toEqual({
      kind: 'hookFailed',
      name: 'checkout',
      output: 'HTTP 503: checkout is down',
    });
    expect(documents()).toEqual(['canary-agent-test-deploy-canary', 'canary-agent-test-remove-canary']);
  });

  it("runs a document hook as the team's own document on its fleet, told where the release is", async () => {
    configure([{ name: 'warm-up', at: 'beforeTraffic', document: 'orders-warm-up', fleet: 'canary' }]);
    const id = await startRelease();

    await finish('deploy-canary', 0);

    const hook = ssm.commandCalls(SendCommandCommand)[1]?.args[0].input;
    expect(hook).toMatchObject({
      DocumentName: 'canary-agent-test-custom-orders-warm-up',
      Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-canary'] }],
      TimeoutSeconds: 300,
      Parameters: expect.objectContaining({ Hook: ['warm-up'], Point: ['beforeTraffic'], ReleaseId: [id] }),
    });
    await finish('custom-orders-warm-up', 1);
    expect((await load(id)).state).toBe('startingMirror');
  });
});
