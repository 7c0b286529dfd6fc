import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envoySettings } from '../../hosts/envoy-config';
import { renderRoutingEnvoy } from '../../hosts/routing-envoy';
import { routesFile } from '../../hosts/routing-envoy-routes';
import { type ListEntries, listMatchers, MATCHES_NOTHING, networkRegex } from '../../hosts/routing-lists';
import { alive, loopbackStable } from '../../local/loopback-host';
import { envoyValidate, type Json } from './envoy-fixtures';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { RULES, routingOnLoopback } from './routing-host';

/*
 * Live VIP and tester lists with the Envoy driver: its routes file rendered by the documents as by the renderer,
 * checked against Envoy's API protos, and moved over the running one to change who goes where without a restart.
 * Envoy cannot run here: a stand-in process holds its pid file and a stand-in admin API answers (set-up in
 * routing-host.ts, as routing-proxy-envoy.test.ts does).
 */

const { host, ports, shift, applyLists } = routingOnLoopback();
const dir = () => join(host.root, 'state', 'orders-api');
const LISTS: ListEntries = {
  vips: ['u-42', 'tier=gold2', '10.1.64.0/18', '203.0.113.7', 'default'],
  testers: ['QA-1', '198.51.100.0/24'],
};
const asParameters = (lists: ListEntries, version: string) => ({
  VipList: lists.vips.join(','),
  VipListVersion: version,
  TesterList: lists.testers.join(','),
  TesterListVersion: version,
});
const envoyParams = {
  ProxyDriver: 'envoy',
  VipCookie: '',
  VipCookieValue: '',
  VipHeader: '',
  VipHeaderValue: '',
};
const { vipCookie: _a, vipCookieValue: _b, vipHeader: _c, vipHeaderValue: _d, ...rules } = RULES;
const settings = () =>
  envoySettings({
    ...loopbackStable(ports.listen, ports.service),
    canaryHost: '127.0.0.1',
    canaryPort: ports.canary,
    canaryPercent: 10,
    adminPort: ports.admin,
    accessLog: join(host.root, 'access.log'),
    rules,
  });
const bootstrap = () =>
  renderRoutingEnvoy({
    ...settings(),
    failoverLog: join(dir(), 'routing-failover.log'),
    canaryLog: join(dir(), 'routing-canary.log'),
    routesFile: join(dir(), 'routing-routes.json'),
  });
/** Envoy's `safe_regex` matches the whole value; these regexes use only syntax RE2 and JavaScript share. */
const fullMatch = (regex: string, value: string) => new RegExp(`^(?:${regex})$`).test(value);

describe('live routing lists with the Envoy driver', () => {
  it('renders the routes file in bash as the renderer does, and Envoy’s API protos accept it and the bootstrap', async () => {
    const [seen, seenRoutes] = [join(host.root, 'envoy-seen.json'), join(host.root, 'routes-seen.json')];
    const outcome = await shift(
      '10',
      { ...envoyParams, ...asParameters(LISTS, '3') },
      { FAKE_ENVOY_REJECT: '1', FAKE_ENVOY_SEEN: seen, FAKE_ENVOY_SEEN_ROUTES: seenRoutes },
    );
    expectFailedAndRestored(outcome, /envoy --mode validate rejected/);
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual(bootstrap());
    expect(readFileSync(seenRoutes, 'utf8')).toBe(routesFile(settings(), LISTS));
    expect(envoyValidate(bootstrap(), '--strict')).toEqual({ said: 'valid', status: 0 });
    for (const lists of [LISTS, { vips: [], testers: [] }]) {
      const routes = JSON.parse(routesFile(settings(), lists));
      const type = ['--type', 'envoy.service.discovery.v3.DiscoveryResponse'];
      expect(envoyValidate(routes, '--strict', ...type)).toEqual({ said: 'valid', status: 0 });
    }
  });

  it('puts each list’s routes in nginx’s order: VIPs (to stable) before testers, testers before the share', () => {
    const routes: Json[] = JSON.parse(routesFile(settings(), LISTS)).resources[0].virtual_hosts[0].routes;
    const names = routes.map((r) => r.name).filter((n: string) => !n.endsWith('-non-idempotent'));
    expect(names).toEqual([
      'vip-cookie',
      'vip-header',
      'vip-list-cookie',
      'vip-list-header',
      'vip-list-client',
      'tester',
      'tester-list-cookie',
      'tester-list-header',
      'tester-list-client',
      'tagged',
      'share',
    ]);
    for (const route of routes) {
      const toStable = route.name.startsWith('vip');
      expect(route.route.cluster ?? 'weighted', route.name).toBe(
        toStable ? 'stable' : route.name.startsWith('share') ? 'weighted' : 'canary',
      );
      // The proxy's own headers never reach a service.
      expect(route.request_headers_to_remove).toEqual(expect.arrayContaining(['x-canary-agent-client']));
    }
  });

  it('matches what the routing nginx matches: ids in any case, cookies exactly, networks by prefix', () => {
    const vips = listMatchers(LISTS.vips, 'uid');
    for (const cookie of ['uid=u-42', 'a=1; uid=U-42', 'uid=u-42;b=2', 'x=1; tier=gold2', 'tier=gold2 ; b=1'])
      expect(fullMatch(vips.cookie, cookie), cookie).toBe(true);
    for (const cookie of ['uid=u-421', 'xuid=u-42', 'tier=gold22', 'tier=gold', 'a=uid=u-42x', ''])
      expect(fullMatch(vips.cookie, cookie), cookie).toBe(false);
    expect(['u-42', 'U-42', 'DEFAULT'].every((id) => fullMatch(vips.header, id))).toBe(true);
    expect(['u-4', 'u-42 ', 'other'].some((id) => fullMatch(vips.header, id))).toBe(false);
    for (const address of ['10.1.64.0', '10.1.127.255', '203.0.113.7'])
      expect(fullMatch(vips.client, address), address).toBe(true);
    for (const address of ['10.1.63.255', '10.1.128.0', '203.0.113.70', '110.1.64.1', '10.1.64.1.5'])
      expect(fullMatch(vips.client, address), address).toBe(false);
    expect(networkRegex('0.0.0.0/0')).toBe('[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}');
    const none = listMatchers([], 'uid');
    expect(none).toEqual({ cookie: MATCHES_NOTHING, header: MATCHES_NOTHING, client: MATCHES_NOTHING });
    expect(['', 'uid=x', '10.0.0.1', '\\b'].some((v) => fullMatch(MATCHES_NOTHING, v))).toBe(false);
  });

  it('moves a new routes file over a running Envoy’s, keeping its share, and puts the old one back if Envoy does not take it', async () => {
    writeFileSync(join(dir(), 'routing-envoy.json'), `${JSON.stringify(bootstrap(), null, 2)}\n`);
    writeFileSync(join(dir(), 'routing-routes.json'), routesFile(settings(), { vips: [], testers: [] }));
    writeFileSync(join(dir(), 'routing.env'), 'DRIVER=envoy\nCANARY_PERCENT=10\nCANARY_WEIGHT=100000\n');
    const envoy = spawn('sleep', ['120'], { stdio: 'ignore' });
    writeFileSync(join(host.root, 'run', 'orders-api-routing-envoy.pid'), `${envoy.pid}\n`);
    const calls: string[] = [];
    let takesNewRoutes = true;
    let loaded = JSON.parse(readFileSync(join(dir(), 'routing-routes.json'), 'utf8')).version_info;
    // Envoy's admin API as the script asks it: the version of the routes file it runs with.
    const admin = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      if (takesNewRoutes)
        loaded = JSON.parse(readFileSync(join(dir(), 'routing-routes.json'), 'utf8')).version_info;
      const dump = { configs: [{ dynamic_route_configs: [{ version_info: loaded }] }] };
      res.writeHead(200).end(JSON.stringify(dump, null, 1));
    });
    await new Promise<void>((resolve) => admin.listen(ports.admin, '127.0.0.1', resolve));
    try {
      const outcome = await applyLists({ ...envoyParams, ...asParameters(LISTS, '4') });
      if (!outcome.ok) throw new Error(outcome.refused.join(', '));
      expect(outcome.summary, outcome.stderr).toMatchObject({
        ok: true,
        changed: true,
        operation: 'applyRoutingLists',
      });
      expect(readFileSync(join(dir(), 'routing-routes.json'), 'utf8')).toBe(routesFile(settings(), LISTS));
      // The share stayed: no runtime change, and the bootstrap is the one Envoy started with.
      expect(calls.filter((c) => c.includes('runtime_modify'))).toEqual([]);
      expect(calls.some((c) => c.startsWith('GET /config_dump?resource=dynamic_route_configs'))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir(), 'routing-envoy.json'), 'utf8'))).toEqual(bootstrap());
      expect(alive(envoy.pid ?? null)).toBe(true);

      takesNewRoutes = false;
      const fewer = { vips: ['u-42'], testers: [] };
      expectFailedAndRestored(
        await applyLists({ ...envoyParams, ...asParameters(fewer, '5') }, { CA_READY_TIMEOUT_SECONDS: '1' }),
        /did not load the new routes/,
      );
      expect(readFileSync(join(dir(), 'routing-routes.json'), 'utf8')).toBe(routesFile(settings(), LISTS));
    } finally {
      admin.close();
      envoy.kill();
    }
  });
});
