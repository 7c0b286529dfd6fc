// A "container": answers every request with its version and the forwarding headers it received, logs each
// request as a JSON line (`GET /__env` answers the environment Docker gave it), and fails every request with 503 while its version is listed in FAKE_DOCKER_DIR/unhealthy.
// A version listed in FAKE_DOCKER_DIR/faulty passes its health checks but answers other requests with 500: the bug
// that only live traffic reveals. So does any version tagged `-bad` (the sandbox's way to release a faulty one).
// Every answer takes a small service time (FAKE_SERVICE_MS, 4 ms unless set), so latency is measurable; other
// faulty builds, by tag: `-slow` answers correctly in three times as long (as does a version listed in
// FAKE_DOCKER_DIR/slow, from the moment it is listed), `-flaky` answers 500 to exactly one in
// 50 requests other than health checks (a counter, not chance). `-quiet` is an ordinary build here: the sandbox's
// canary load balancer is what goes quiet for it (local/sandbox-fleet.ts).
// In a chain (the sandbox's front -> orders-api -> payments), a container given DOWNSTREAM_URL calls that URL with
// the same path for every request other than a health check, passing on the full-link tag header (TAG_HEADER,
// x-canary-tag unless set) and the tester header (TESTER_HEADER, x-canary unless set), as a real service's own code
// must, and answers with SERVICE_NAME, its version and the downstream's answer under `calls`: the front's answer
// names every version the request touched. A downstream that fails or cannot be reached makes this answer 502.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';

const [port, version, name, dir, address = '127.0.0.1'] = process.argv.slice(2);
const listed = (file) =>
  existsSync(`${dir}/${file}`) && readFileSync(`${dir}/${file}`, 'utf8').split('\n').includes(version);
const unhealthy = () => listed('unhealthy');
const health = (url) => /^\/health/.test(url ?? '');
const faulty = (url) => !health(url) && (/-bad$/.test(version) || listed('faulty'));
const serviceMs = () =>
  Number(process.env.FAKE_SERVICE_MS ?? 4) * (/-slow$/.test(version) || listed('slow') ? 3 : 1);
let served = 0;
/** Every 50th request other than a health check, for a `-flaky` build: 2%, the same in every run. */
const flaked = (url) => /-flaky$/.test(version) && !health(url) && ++served % 50 === 0;

/** The variables Docker gave the container (fake-docker.mjs names them). */
const containerNames = (process.env.FAKE_CONTAINER_ENV_NAMES ?? '').split(',').filter(Boolean);
/** The container's environment as Docker gave it, for `GET /__env`. */
const containerEnv = () => Object.fromEntries(containerNames.map((name) => [name, process.env[name]]));
/**
 * Only what Docker gave the container counts, never what the shell that ran `docker` happened to export: the
 * fake's process inherits that shell's environment, a real container does not.
 */
const given = (name) => (containerNames.includes(name) ? process.env[name] : undefined);
const serviceName = given('SERVICE_NAME');
const downstreamUrl = given('DOWNSTREAM_URL')?.replace(/\/+$/, '');
const carried = [given('TAG_HEADER') ?? 'x-canary-tag', given('TESTER_HEADER') ?? 'x-canary'].map((h) =>
  h.toLowerCase(),
);
// Keep-alive, as a service's HTTP client would: a chain of three hops per request stays cheap on ports.
const downstreamAgent = new Agent({ keepAlive: true, maxSockets: 64 });

/** The downstream's answer to this request's path, with the headers a service must carry; 502 when it fails. */
function callDownstream(req) {
  const headers = Object.fromEntries(
    carried.filter((h) => req.headers[h] !== undefined).map((h) => [h, req.headers[h]]),
  );
  return new Promise((resolve) => {
    const failed = (reason) => resolve({ status: 502, calls: { error: reason } });
    const call = request(
      `${downstreamUrl}${req.url}`,
      { headers, agent: downstreamAgent, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => {
          let calls;
          try {
            calls = JSON.parse(body);
          } catch {
            calls = { error: body.slice(0, 200) };
          }
          const status = res.statusCode ?? 502;
          const ok = status >= 200 && status < 300;
          resolve({ status: ok ? 200 : 502, calls: ok ? calls : { ...calls, status } });
        });
        res.on('error', () => failed('downstream answer cut short'));
      },
    );
    call.on('timeout', () => call.destroy(new Error('downstream timed out')));
    call.on('error', (error) => failed(error.message));
    call.end();
  });
}

const server = createServer((req, res) => {
  if (req.url === '/__env') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(containerEnv()));
    return;
  }
  req.resume();
  req.on('end', () => {
    const seen = {
      version,
      method: req.method,
      url: req.url,
      host: req.headers.host,
      xRealIp: req.headers['x-real-ip'],
      xForwardedFor: req.headers['x-forwarded-for'],
      mirror: req.headers['x-canary-agent-mirror'] === '1',
    };
    if (process.env.FAKE_SERVICE_LOG !== '0')
      appendFileSync(`${dir}/${name}.requests`, `${JSON.stringify(seen)}\n`);
    const own = unhealthy() ? 503 : faulty(req.url) || flaked(req.url) ? 500 : 200;
    setTimeout(async () => {
      // A failing build fails on its own; only a sound answer depends on the next service down the chain.
      const downstream =
        own === 200 && downstreamUrl !== undefined && !health(req.url)
          ? await callDownstream(req)
          : undefined;
      const status = downstream?.status ?? own;
      res.writeHead(status, { 'content-type': 'application/json', 'x-service-version': version });
      // The answer also echoes every request header (not logged: the routing tests send thousands).
      res.end(
        JSON.stringify({ service: serviceName, ...seen, headers: req.headers, calls: downstream?.calls }),
      );
    }, serviceMs());
  });
});
server.keepAliveTimeout = 65_000;
server.on('error', (error) => {
  console.error(error.message);
  process.exit(3);
});
server.listen(Number(port), address, () => appendFileSync(`${dir}/${name}.ready`, `${process.pid}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
