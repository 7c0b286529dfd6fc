import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { envoySettings, renderEnvoyConfig } from '../../hosts/envoy-config';
import { renderMirrorNginx } from '../../hosts/nginx-config';
import { freePort } from '../../local/free-port';
import {
  alive,
  createHost,
  destroyHost,
  get,
  loopbackStable,
  occupy,
  requestsSeen,
  run,
  snapshot,
  startStableNginx,
} from '../../local/loopback-host';
import { accessLines, parseAccessLine } from './access-log-lines';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, operationsHosts } from './operations-hosts';

/*
 * start-mirror and stop-mirror on real nginx: the hand-over to the mirroring nginx (or Envoy) and back, and every
 * way it can fail leaving nginx serving. Set-up in operations-hosts.ts.
 */

const { stable, canary, ports, base, proxy, image } = operationsHosts();

beforeAll(async () => {
  // The canary the stable host mirrors to: 2.0.0 (operations-canary.test.ts deploys it as a test).
  const params = { ...base, ...image, ContainerPort: String(ports.canary), Version: '2.0.0' };
  expectSucceeded(await run(canary, 'deploy-canary.yml', params), true);
});

describe('a release through the documents, on real nginx', () => {
  it('hands the port to the mirroring nginx, which mirrors to the canary with the headers nginx sent', async () => {
    const before = snapshot(stable);
    const params = { ...base, ...proxy, ProxyDriver: 'nginx', MirrorHost: '127.0.0.1', MirrorPercent: '100' };
    expectSucceeded(await run(stable, 'start-mirror.yml', params), true);
    const after = snapshot(stable);
    expect(alive(before.nginx)).toBe(false);
    expect(after).toMatchObject({ nginx: null, mirrorNginx: true });

    const seen = await get(ports.listen, '/orders?id=7', {
      'x-forwarded-for': '203.0.113.9',
      host: 'api.example.com',
    });
    expect(seen.body).toMatchObject({
      version: '1.0.0',
      host: 'api.example.com',
      xForwardedFor: '203.0.113.9, 127.0.0.1',
      xRealIp: '127.0.0.1',
    });
    await expect
      .poll(() => requestsSeen(canary, 'orders-api-canary').filter((r) => r.url === '/orders?id=7'))
      .toHaveLength(1);
    const mirrored = requestsSeen(canary, 'orders-api-canary').find((r) => r.url === '/orders?id=7');
    expect(mirrored).toMatchObject({
      host: 'api.example.com',
      xForwardedFor: '203.0.113.9, 127.0.0.1',
      mirror: true,
    });

    expectSucceeded(await run(stable, 'start-mirror.yml', params), false);
    expect(snapshot(stable)).toEqual(after);
  });

  it('renders the mirroring nginx from the same renderer the tests check', () => {
    const conf = readFileSync(join(stable.root, 'state', 'orders-api', 'mirror-nginx.conf'), 'utf8');
    const expected = renderMirrorNginx(
      {
        ...loopbackStable(ports.listen, ports.service),
        mirrorHost: '127.0.0.1',
        mirrorPort: ports.canary,
        mirrorPercent: 100,
        adminPort: ports.admin,
        accessLog: join(stable.root, 'access.log'),
        resolver: '127.0.0.1',
      },
      {
        pidFile: join(stable.root, 'run', 'orders-api-mirror-nginx.pid'),
        tempDir: join(stable.root, 'state', 'orders-api', 'mirror-nginx-temp'),
        errorLog: join(stable.root, 'state', 'orders-api', 'mirror-nginx.error.log'),
        workerProcesses: '1',
      },
    );
    expect(conf).toBe(expected);
  });

  it("keeps the host's access log: one combined line per request, none for mirror copies or readiness checks", async () => {
    const accessLog = join(stable.root, 'access.log');
    const before = accessLines(accessLog).length;
    const headers = { referer: 'https://shop.example/cart', 'user-agent': 'access-log-check/1.0' };
    expect((await get(ports.listen, '/orders?id=42', headers)).status).toBe(200);
    // Mirroring 100%: the canary gets its copy, and the copy is not a second line.
    await expect
      .poll(() => requestsSeen(canary, 'orders-api-canary').filter((r) => r.url === '/orders?id=42'))
      .toHaveLength(1);
    await expect.poll(() => accessLines(accessLog).length).toBe(before + 1);
    const line = parseAccessLine(accessLines(accessLog).at(-1) ?? '');
    expect(line).toMatchObject({
      remoteAddr: '127.0.0.1',
      remoteUser: '-',
      request: 'GET /orders?id=42 HTTP/1.1',
      status: 200,
      referer: 'https://shop.example/cart',
      userAgent: 'access-log-check/1.0',
    });
    expect(line?.route).toBeUndefined();
    expect(line?.bytes).toBeGreaterThan(0);
    expect(Math.abs(Date.now() - (line?.time.getTime() ?? 0))).toBeLessThan(60_000);
    // start-mirror polled the admin port's /ready while the proxy started: not a request of the service's.
    expect(accessLines(accessLog).filter((l) => l.includes('/ready'))).toEqual([]);
  });

  it('refuses an access log path that is not plain, or whose directory is missing, before any swap', async () => {
    const before = snapshot(stable);
    const params = { ...base, ...proxy, ProxyDriver: 'nginx', MirrorHost: '127.0.0.1', MirrorPercent: '5' };
    const marker = join(stable.root, 'injected');
    for (const [accessLog, said] of [
      [`${stable.root}/a.log;touch ${marker}`, /CA_ACCESS_LOG must be an absolute path/],
      ['access.log', /CA_ACCESS_LOG must be an absolute path/],
      [join(stable.root, 'missing', 'access.log'), /its directory does not exist/],
    ] as const) {
      expectFailedAndRestored(
        await run(stable, 'start-mirror.yml', params, { CA_ACCESS_LOG: accessLog }),
        said,
      );
      expect(snapshot(stable)).toEqual(before);
    }
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(stable.root, 'state', 'orders-api', 'mirror-nginx.conf'), 'utf8')).toContain(
      `access_log ${join(stable.root, 'access.log')} combined;`,
    );
  });

  it('changes the mirrored share in place by reloading the mirroring nginx', async () => {
    const before = snapshot(stable);
    const params = { ...base, ...proxy, ProxyDriver: 'nginx', MirrorHost: '127.0.0.1', MirrorPercent: '2.5' };
    expectSucceeded(await run(stable, 'start-mirror.yml', params), true);
    expect(snapshot(stable)).toEqual(before);
    expect(readFileSync(join(stable.root, 'state', 'orders-api', 'mirror-nginx.conf'), 'utf8')).toContain(
      '2.5% 1;',
    );
  });

  it('keeps the mirroring proxy serving when nginx configuration no longer validates', async () => {
    const good = readFileSync(stable.nginxConf, 'utf8');
    writeFileSync(stable.nginxConf, good.replace('proxy_read_timeout', 'proxy_read_timeuot'));
    const before = snapshot(stable);
    expectFailedAndRestored(
      await run(stable, 'stop-mirror.yml', { ...base, ...proxy, ProxyDriver: 'nginx' }),
      /does not validate/,
    );
    expect(snapshot(stable)).toEqual(before);
    expect((await get(ports.listen)).body.version).toBe('1.0.0');
    writeFileSync(stable.nginxConf, good);
  });

  it('hands the port back to nginx, and a second run changes nothing', async () => {
    const params = { ...base, ...proxy, ProxyDriver: 'nginx' };
    expectSucceeded(await run(stable, 'stop-mirror.yml', params), true);
    const after = snapshot(stable);
    expect(after).toMatchObject({ mirrorNginx: false, envoy: false });
    expect(alive(after.nginx)).toBe(true);
    expectSucceeded(await run(stable, 'stop-mirror.yml', params), false);
    expect(snapshot(stable)).toEqual(after);
    expect((await get(ports.listen)).body.version).toBe('1.0.0');
  });

  it('leaves nginx serving when the mirroring proxy cannot bind its ports', async () => {
    const before = snapshot(stable);
    const taken = await occupy(ports.admin);
    try {
      const params = {
        ...base,
        ...proxy,
        ProxyDriver: 'nginx',
        MirrorHost: '127.0.0.1',
        MirrorPercent: '10',
      };
      expectFailedAndRestored(await run(stable, 'start-mirror.yml', params), /did not (start|become ready)/);
    } finally {
      taken.close();
    }
    expect(snapshot(stable)).toEqual(before);
    expect((await get(ports.listen)).body.version).toBe('1.0.0');
  });

  it('validates the Envoy configuration before any swap and leaves nginx alone when it is rejected', async () => {
    const before = snapshot(stable);
    const seenFile = join(stable.root, 'envoy-seen.json');
    const params = { ...base, ...proxy, ProxyDriver: 'envoy', MirrorHost: '127.0.0.1', MirrorPercent: '2.5' };
    const outcome = await run(stable, 'start-mirror.yml', params, {
      FAKE_ENVOY_REJECT: '1',
      FAKE_ENVOY_SEEN: seenFile,
    });
    expectFailedAndRestored(outcome, /envoy --mode validate rejected/);
    expect(snapshot(stable)).toEqual(before);
    // What the host rendered is exactly what the tested renderer produces.
    expect(JSON.parse(readFileSync(seenFile, 'utf8'))).toEqual(
      renderEnvoyConfig(
        envoySettings({
          ...loopbackStable(ports.listen, ports.service),
          mirrorHost: '127.0.0.1',
          mirrorPort: ports.canary,
          mirrorPercent: 2.5,
          adminPort: ports.admin,
          accessLog: join(stable.root, 'access.log'),
        }),
      ),
    );
  });

  it('refuses an Envoy older than 1.34 before any swap, naming its version', async () => {
    const before = snapshot(stable);
    const params = { ...base, ...proxy, ProxyDriver: 'envoy', MirrorHost: '127.0.0.1', MirrorPercent: '10' };
    const outcome = await run(stable, 'start-mirror.yml', params, { FAKE_ENVOY_VERSION: '1.33.2' });
    expectFailedAndRestored(
      outcome,
      /Envoy 1\.33\.2 is too old for the envoy driver, which needs Envoy 1\.34 or later/,
    );
    expect(snapshot(stable)).toEqual(before);
  });

  it('leaves nginx serving when Envoy never becomes ready', async () => {
    const before = snapshot(stable);
    const params = { ...base, ...proxy, ProxyDriver: 'envoy', MirrorHost: '127.0.0.1', MirrorPercent: '10' };
    expectFailedAndRestored(
      await run(stable, 'start-mirror.yml', params, { CA_READY_TIMEOUT_SECONDS: '1' }),
      /did not become ready/,
    );
    expect(snapshot(stable)).toEqual(before);
  });

  it('refuses to hand over from an nginx that does not listen with reuseport', async () => {
    const host = createHost('plain', await freePort());
    const port = await freePort();
    try {
      startStableNginx(host, loopbackStable(port, ports.service), false);
      const before = snapshot(host);
      const params = {
        ...base,
        ...proxy,
        ListenPort: String(port),
        ProxyDriver: 'nginx',
        MirrorHost: '127.0.0.1',
        MirrorPercent: '10',
      };
      expectFailedAndRestored(await run(host, 'start-mirror.yml', params), /reuseport/);
      expect(snapshot(host)).toEqual(before);
      expect(existsSync(join(host.root, 'state', 'orders-api', 'mirror-nginx.conf'))).toBe(false);
    } finally {
      destroyHost(host);
    }
  });
});
