import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Serves a Lambda HTTP API handler on loopback, as API Gateway's HTTP API (payload 2.0) calls it: lower-case
 * headers, the body base64-encoded, one route. The sandbox and the tests reach the Slack function through it.
 */
export function serveLambda(
  functionName: string,
  route: { method: string; path: string },
  handler: HttpHandler,
) {
  let server: Server | undefined;
  const url = () => `http://127.0.0.1:${(server?.address() as AddressInfo | null)?.port ?? 0}${route.path}`;
  return {
    url,
    async start(port = 0): Promise<string> {
      server = createServer((req, res) => {
        void (async () => {
          const body = await readBody(req);
          const path = new URL(req.url ?? '/', 'http://localhost').pathname;
          if (req.method !== route.method || path !== route.path) {
            res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
            return;
          }
          // What API Gateway answers when the function itself fails.
          const failed: APIGatewayProxyStructuredResultV2 = {
            statusCode: 500,
            body: '{"message":"Internal Server Error"}',
          };
          const result = await handler(apiEvent(req, route, body), lambdaContext(functionName)).catch(
            () => failed,
          );
          res.writeHead(result.statusCode ?? 200, flatHeaders(result.headers)).end(result.body ?? '');
        })();
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
      return url();
    },
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}

function apiEvent(
  req: IncomingMessage,
  route: { method: string; path: string },
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : value,
    ]),
  );
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: route.path,
    rawQueryString: '',
    headers,
    body: body.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: '000000000000',
      apiId: 'sandbox',
      domainName: '127.0.0.1',
      domainPrefix: 'sandbox',
      http: {
        method: route.method,
        path: route.path,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: String(req.headers['user-agent'] ?? ''),
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** The context Lambda passes, for handlers run on this machine. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function flatHeaders(headers: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
