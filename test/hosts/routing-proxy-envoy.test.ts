import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envoySettings } from '../../hosts/envoy-config';
import { renderRoutingEnvoy } from '../../hosts/routing-envoy';
import { routesFile } from '../../hosts/routing-envoy-routes';
import { NO_LISTS } from '../../hosts/routing-lists';
import { alive, loopbackStable, snapshot } from '../../local/loopback-host';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, RULES, routingOnLoopback } from './routing-host';

/*
 * The Envoy driver of shift-traffic: rendered and validated before any swap, its share changed through its admin
 * API. Set-up in routing-host.ts.
 */

const { host, ports, shift } = routingOnLoopback();

describe('shift-traffic on real nginx', () => {
  it('renders the Envoy driver from the same renderer, VIP rules left out, and validates it before any swap', async () => {
    const before = snapshot(host);
    const seen = join(host.root, 'envoy-seen.json');
    const outcome = await shift(
      '2.5',
      { ProxyDriver: 'envoy', VipCookie: '', VipCookieValue: '', VipHeader: '', VipHeaderValue: '' },
      { FAKE_ENVOY_REJECT: '1', FAKE_ENVOY_SEEN: seen },
    );
    expectFailedAndRestored(outcome, /envoy --mode validate rejected/);
    expect(snapshot(host)).toEqual(before);
    const { vipCookie: _a, vipCookieValue: _b, vipHeader: _c, vipHeaderValue: _d, ...rules } = RULES;
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual(
      renderRoutingEnvoy({
        ...envoySettings({
          ...loopbackStable(ports.listen, ports.service),
          canaryHost: '127.0.0.1',
          canaryPort: ports.canary,
          canaryPercent: 2.5,
          adminPort: ports.admin,
          accessLog: join(host.root, 'access.log'),
          rules,
        }),
        failoverLog: join(host.root, 'state', 'orders-api', 'routing-failover.log'),
        canaryLog: join(host.root, 'state', 'orders-api', 'routing-canary.log'),
        routesFile: join(host.root, 'state', 'orders-api', 'routing-routes.json'),
      }),
    );
  });

  it("changes a running Envoy's share through its admin API, without a restart, and only the share", async () => {
    // Envoy cannot serve here: a stand-in process holds the pid file and a stand-in admin API records calls.
    const dir = join(host.root, 'state', 'orders-api');
    const envoyParams = {
      ProxyDriver: 'envoy',
      VipCookie: '',
      VipCookieValue: '',
      VipHeader: '',
      VipHeaderValue: '',
    };
    const { vipCookie: _a, vipCookieValue: _b, vipHeader: _c, vipHeaderValue: _d, ...rules } = RULES;
    const rendered = (canaryPercent: number) =>
      `${JSON.stringify(
        renderRoutingEnvoy({
          ...envoySettings({
            ...loopbackStable(ports.listen, ports.service),
            canaryHost: '127.0.0.1',
            canaryPort: ports.canary,
            canaryPercent,
            adminPort: ports.admin,
            accessLog: join(host.root, 'access.log'),
            rules,
          }),
          failoverLog: join(dir, 'routing-failover.log'),
          canaryLog: join(dir, 'routing-canary.log'),
          routesFile: join(dir, 'routing-routes.json'),
        }),
        null,
        2,
      )}\n`;
    writeFileSync(join(dir, 'routing-envoy.json'), rendered(10));
    // The routes file the hand-off wrote: who goes where, which a change of share leaves as it is.
    const routes = routesFile(
      envoySettings({ ...loopbackStable(ports.listen, ports.service), rules }),
      NO_LISTS,
    );
    writeFileSync(join(dir, 'routing-routes.json'), routes);
    writeFileSync(join(dir, 'routing.env'), 'DRIVER=envoy\nCANARY_WEIGHT=100000\n');
    const envoy = spawn('sleep', ['120'], { stdio: 'ignore' });
    writeFileSync(join(host.root, 'run', 'orders-api-routing-envoy.pid'), `${envoy.pid}\n`);
    const calls: string[] = [];
    let status = 200;
    const admin = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => admin.listen(ports.admin, '127.0.0.1', resolve));
    try {
      expectSucceeded(await shift('25', envoyParams), true);
      expect(calls).toEqual([
        'POST /runtime_modify?canary_agent.weight.canary=250000&canary_agent.weight.stable=750000',
      ]);
      expect(readFileSync(join(dir, 'routing-envoy.json'), 'utf8')).toBe(rendered(25));
      expect(readFileSync(join(dir, 'routing-routes.json'), 'utf8')).toBe(routes);
      expect(alive(envoy.pid ?? null)).toBe(true);
      expectSucceeded(await shift('25', envoyParams), false);
      expect(calls).toHaveLength(1);

      status = 500;
      expectFailedAndRestored(await shift('50', envoyParams), /did not accept the new weights/);
      expect(readFileSync(join(dir, 'routing-envoy.json'), 'utf8')).toBe(rendered(25));
      status = 200;
      expectFailedAndRestored(
        await shift('50', { ...envoyParams, ReadTimeout: '301' }),
        /other settings; stop routing/,
      );
      expect(calls).toHaveLength(2);
    } finally {
      admin.close();
      envoy.kill();
    }
  });
});
