// A "container": answers every request with its version and the forwarding headers it received, logs each
// request as a JSON line (`GET /__env` answers the environment Docker gave it), and fails every request with 503 while its version is listed in FAKE_DOCKER_DIR/unhealthy.
// A version listed in FAKE_DOCKER_DIR/faulty passes its health checks but answers other requests with 500: the bug
// that only live traffic reveals. So does any version tagged `-bad` (the sandbox's way to release a faulty one).
// Every answer takes a small service time (FAKE_SERVICE_MS, 4 ms unless set), so latency is measurable; other
// faulty builds, by tag: `-slow` answers correctly in three times as long (as does a version listed in
// FAKE_DOCKER_DIR/slow, from the moment it is listed), `-flaky` answers 500 to exactly one in
// 50 requests other than health checks (a counter, not chance). `-quiet` is an ordinary build here: the sandbox's
// canary load balancer is what goes quiet for it (local/sandbox-fleet.ts).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';

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

/** The container's environment as Docker gave it (fake-docker.mjs names the variables), for `GET /__env`. */
const containerEnv = () =>
  Object.fromEntries(
    (process.env.FAKE_CONTAINER_ENV_NAMES ?? '')
      .split(',')
      .filter(Boolean)
      .map((name) => [name, process.env[name]]),
  );

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
    const status = unhealthy() ? 503 : faulty(req.url) || flaked(req.url) ? 500 : 200;
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-service-version': version });
      // The answer also echoes every request header (not logged: the routing tests send thousands).
      res.end(JSON.stringify({ ...seen, headers: req.headers }));
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
