import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An SSM endpoint on loopback (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.GetParameter(s)`) serving fixed
 * parameters, so a bundle in a fresh process reads its secrets and configuration through the real SDK client
 * (`AWS_ENDPOINT_URL_SSM`) without AWS.
 */
export async function fakeSsm(
  parameters: Record<string, string>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as { Name?: string; Names?: string[] };
      const parameter = (name: string) => ({
        Name: name,
        Value: parameters[name],
        Type: 'String',
        Version: 1,
      });
      let answer: unknown;
      if (target.endsWith('.GetParameters')) {
        const names = input.Names ?? [];
        answer = {
          Parameters: names.filter((n) => n in parameters).map(parameter),
          InvalidParameters: names.filter((n) => !(n in parameters)),
        };
      } else if (target.endsWith('.GetParameter') && input.Name && input.Name in parameters) {
        answer = { Parameter: parameter(input.Name) };
      } else {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ParameterNotFound', message: 'not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
