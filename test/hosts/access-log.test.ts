import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_PATTERN, accessLogPath } from '../../hosts/access-log';
import { envoySettings, renderEnvoyConfig } from '../../hosts/envoy-config';
import { renderMirrorNginx } from '../../hosts/nginx-config';
import { renderRoutingEnvoy } from '../../hosts/routing-envoy';
import { renderRoutingNginx } from '../../hosts/routing-nginx';
import { configInput } from '../../local/fixture-service-config';
import { hostCli } from '../support/host-cli';
import { envoyValidate, hcmOf, type Json, MIRROR_SETTINGS, ROUTING_SETTINGS } from './envoy-fixtures';

/*
 * The host's access log while an agent proxy serves: what the Envoys write and where, and which paths reach a
 * configuration at all. The nginx proxies' lines are checked on real nginx (operations-mirror.test.ts,
 * routing.test.ts).
 */

const mirrorEnvoy = (): Json => renderEnvoyConfig(envoySettings(MIRROR_SETTINGS));
const routingEnvoy = (): Json =>
  renderRoutingEnvoy({ ...envoySettings(ROUTING_SETTINGS), failoverLog: '/var/lib/ca/failover.log' });

/** nginx's `combined`, written out in Envoy's command operators (hosts/access-log.ts says why each). */
const COMBINED_IN_ENVOY =
  '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% - - [%START_TIME(%d/%b/%Y:%H:%M:%S %z)%] ' +
  '"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %BYTES_SENT% ' +
  '"%REQ(REFERER)%" "%REQ(USER-AGENT)%"';

/** What each Envoy operator and nginx variable renders for one request through the load balancer. */
const REQUEST: readonly (readonly [envoy: string, nginx: string, value: string])[] = [
  ['%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%', '$remote_addr', '10.0.1.17'],
  ['%START_TIME(%d/%b/%Y:%H:%M:%S %z)%', '$time_local', '17/Mar/2026:13:02:58 +0000'],
  ['%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%', '$request', 'GET /orders?id=7 HTTP/1.1'],
  ['%RESPONSE_CODE%', '$status', '200'],
  ['%BYTES_SENT%', '$body_bytes_sent', '512'],
  ['%REQ(REFERER)%', '$http_referer', 'https://shop.example/cart'],
  ['%REQ(USER-AGENT)%', '$http_user_agent', 'curl/8.5.0'],
  ['%UPSTREAM_CLUSTER%', '$canary_agent_route', 'canary'],
];
const line = (format: string, column: 0 | 1) => {
  let out = format.replace('$remote_user', '-');
  for (const row of REQUEST) out = out.split(row[column]).join(row[2]);
  return out;
};
const logFormat = (config: Json) => hcmOf(config).access_log[0].typed_config;

describe('both Envoys', () => {
  it("write the host's access log first, in nginx's combined format, one line per request", () => {
    expect(logFormat(mirrorEnvoy())).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
      path: '/var/log/nginx/access.log',
      log_format: { text_format_source: { inline_string: `${COMBINED_IN_ENVOY}\n` } },
    });
    // The routing Envoy says where it sent the request, after the combined fields, and keeps its failover log.
    const routing = hcmOf(routingEnvoy()).access_log;
    expect(routing[0].typed_config.path).toBe('/var/log/nginx/access.log');
    expect(routing[0].typed_config.log_format.text_format_source.inline_string).toBe(
      `${COMBINED_IN_ENVOY} %UPSTREAM_CLUSTER%\n`,
    );
    expect(routing.map((l: Json) => l.typed_config.path)).toEqual([
      '/var/log/nginx/access.log',
      '/var/lib/ca/failover.log',
    ]);
  });

  it('write the line nginx writes for the same request', () => {
    const nginxRouting = renderRoutingNginx(ROUTING_SETTINGS, {
      pidFile: '/run/x.pid',
      tempDir: '/tmp/x',
      errorLog: '/tmp/x.log',
      canaryLog: '/tmp/c.log',
      failoverLog: '/tmp/f.log',
      listsDir: '/tmp/lists',
      workerProcesses: '1',
    });
    const nginxFormat = /log_format canary_agent_access '([^']*)';/.exec(nginxRouting)?.[1] ?? 'missing';
    const envoyFormat = logFormat(routingEnvoy()).log_format.text_format_source.inline_string.trimEnd();
    expect(line(envoyFormat, 0)).toBe(
      '10.0.1.17 - - [17/Mar/2026:13:02:58 +0000] "GET /orders?id=7 HTTP/1.1" 200 512 "https://shop.example/cart" "curl/8.5.0" canary',
    );
    expect(line(nginxFormat, 1)).toBe(line(envoyFormat, 0));
  });

  it('pass envoy-validate --deny-deprecated --strict with the access logger', () => {
    for (const config of [mirrorEnvoy(), routingEnvoy()])
      expect(envoyValidate(config, '--strict')).toEqual({ said: 'valid', status: 0 });
    // The validator does read the logger: the plain `text_format` string is deprecated.
    const deprecated = mirrorEnvoy();
    logFormat(deprecated).log_format = { text_format: `${COMBINED_IN_ENVOY}\n` };
    expect(envoyValidate(deprecated).said).toMatch(/SubstitutionFormatString\.text_format is deprecated/);
  });
});

describe('the access log path', () => {
  const bad = [
    'access.log',
    '/var/log/a b.log',
    '/tmp/x;id',
    '/tmp/$(id)',
    "/tmp/'",
    '/tmp/{a}',
    '/tmp/é',
    '/a\n',
  ];

  it('reaches no configuration unless it is an absolute path of [A-Za-z0-9._/-]', () => {
    expect(accessLogPath('/var/log/nginx/access.log')).toBe('/var/log/nginx/access.log');
    for (const path of bad) {
      expect(() => accessLogPath(path), path).toThrow(RangeError);
      const accessLog = path;
      expect(() => renderEnvoyConfig(envoySettings({ ...MIRROR_SETTINGS, accessLog })), path).toThrow();
      expect(() => renderRoutingEnvoy(envoySettings({ ...ROUTING_SETTINGS, accessLog })), path).toThrow();
      const instance = { pidFile: '/p', tempDir: '/t', errorLog: '/e', workerProcesses: '1' };
      expect(() =>
        renderMirrorNginx({ ...MIRROR_SETTINGS, accessLog, resolver: '10.0.0.2' }, instance),
      ).toThrow();
      expect(() =>
        renderRoutingNginx(
          { ...ROUTING_SETTINGS, accessLog },
          { ...instance, canaryLog: '/c', failoverLog: '/f', listsDir: '/l' },
        ),
      ).toThrow();
    }
  });

  it('is held by the host scripts to the same pattern, byte by byte', () => {
    const lib = readFileSync(join(process.cwd(), 'hosts', 'scripts', 'lib-proxy.sh'), 'utf8');
    const fn = /^access_log_path_ok\(\) \{.*\}$/m.exec(lib)?.[0] ?? 'missing';
    const chars = [...'aZ09._/-/ ;$`\'"\\{}()&|<>*?#~=%@!,:\t\né中'];
    const values = fc.sample(
      fc.string({ unit: fc.constantFrom(...chars), minLength: 0, maxLength: 12 }).map((s) => `/${s}`),
      { numRuns: 400, seed: 16 },
    );
    values.push(...bad, '/var/log/nginx/access.log', '/', '//');
    const script = `${fn}\nwhile IFS= read -r -d '' v; do if access_log_path_ok "$v"; then printf 1; else printf 0; fi; done`;
    const run = spawnSync('bash', ['-c', script], {
      input: values.map((v) => `${v}\0`).join(''),
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    expect(run.stdout).toBe(values.map((v) => (ACCESS_LOG_PATTERN.test(v) ? '1' : '0')).join(''));
    expect(run.stdout).toContain('0');
    expect(run.stdout).toContain('1');
  });

  it('is a cli.ts option, checked before anything renders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-cli-'));
    const config = join(dir, 'orders-api.json');
    writeFileSync(config, JSON.stringify(configInput()));
    try {
      const [good, refused] = await Promise.all([
        hostCli('render-envoy', '--config', config, '--access-log', '/srv/logs/orders.log'),
        hostCli('render-nginx-mirror', '--config', config, '--access-log', 'logs/orders.log'),
      ]);
      expect(hcmOf(JSON.parse(good.stdout)).access_log[0].typed_config.path).toBe('/srv/logs/orders.log');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--access-log must be an absolute path');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
