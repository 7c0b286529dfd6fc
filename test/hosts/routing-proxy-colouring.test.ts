import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseColourRules } from '../../domain/colouring';
import { listsId, NO_LISTS } from '../../hosts/routing-lists';
import { renderRoutingNginx } from '../../hosts/routing-nginx';
import { freePort } from '../../local/free-port';
import { loopbackStable } from '../../local/loopback-host';
import { pathLogTail } from '../../local/path-log';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, RULES, routingOnLoopback } from './routing-host';

/*
 * Colouring rules on real nginx, through the shift-traffic document: an entry service's rules in order after the
 * VIPs, a downstream service's proxy at 0% with none, and the canary log's mark of requests that arrived tagged.
 * Set-up in routing-host.ts.
 */

const { host, ports, send, user, shift } = routingOnLoopback();
const dir = () => join(host.root, 'state', 'orders-api');
// A bot rule first: a `stable` rule decides before every later rule, and before testers and tags.
const ENTRY =
  'header:x-bot=1:stable,header:app=mobile,host:gray.shop.example.com,hostPrefix:beta.,cookie:beta=1,zone:eu-west-1a';
const ELSEWHERE = { CA_AVAILABILITY_ZONE: 'eu-west-1b' };
const canaryShare = (tally: { byVersion: Record<string, number> }) => tally.byVersion['2.0.0'] ?? 0;

/** IMDSv2 as EC2 answers it: a session token first, then the metadata only with that token. */
let imds: Server;
const imdsCalls: string[] = [];
let zone = 'eu-west-1a';
beforeAll(async () => {
  const port = await freePort();
  imds = createServer((req, res) => {
    imdsCalls.push(`${req.method} ${req.url}`);
    const token = req.method === 'PUT' && req.url === '/latest/api/token';
    const metadata = req.url === '/latest/meta-data/placement/availability-zone';
    if (token && req.headers['x-aws-ec2-metadata-token-ttl-seconds']) res.end('token-1');
    else if (metadata && req.headers['x-aws-ec2-metadata-token'] === 'token-1') res.end(zone);
    else res.writeHead(401).end();
  });
  await new Promise<void>((resolve) => imds.listen(port, '127.0.0.1', resolve));
});
afterAll(() => new Promise((resolve) => imds.close(resolve)));
const imdsEnv = () => ({
  CA_AVAILABILITY_ZONE: '',
  CA_IMDS: `http://127.0.0.1:${(imds.address() as { port: number }).port}`,
});

describe('colouring rules on real nginx', () => {
  it('renders the rules in bash as the renderer does, the host’s zone a constant of the configuration', async () => {
    expectSucceeded(await shift('0', { ColourRules: ENTRY }, ELSEWHERE), true);
    const parsed = parseColourRules(ENTRY);
    if (!parsed.ok) throw new Error(parsed.problem);
    const conf = readFileSync(join(dir(), 'routing-nginx.conf'), 'utf8');
    expect(conf).toBe(
      renderRoutingNginx(
        {
          ...loopbackStable(ports.listen, ports.service),
          canaryHost: '127.0.0.1',
          canaryPort: ports.canary,
          canaryPercent: 0,
          adminPort: ports.admin,
          accessLog: join(host.root, 'access.log'),
          rules: { ...RULES, colouring: parsed.rules },
          availabilityZone: 'eu-west-1b',
        },
        {
          pidFile: join(host.root, 'run', 'orders-api-routing-nginx.pid'),
          tempDir: join(dir(), 'routing-nginx-temp'),
          errorLog: join(dir(), 'routing-nginx.error.log'),
          canaryLog: join(dir(), 'routing-canary.log'),
          failoverLog: join(dir(), 'routing-failover.log'),
          listsDir: join(dir(), 'routing-lists', listsId(NO_LISTS)),
          workerProcesses: '1',
        },
      ),
    );
    expect(conf).toContain('map "eu-west-1b" $canary_agent_colour_6 {\n    "~^eu-west-1a$" new;');
  });

  it('sends what each rule matches to the canary, tagged, at a share of 0, and lookalikes to stable', async () => {
    const matched: Record<string, string>[] = [
      { 'x-app': 'x', app: 'mobile' },
      { host: 'gray.shop.example.com' },
      { host: 'GRAY.Shop.example.com:8080' },
      { host: 'beta.orders.example.org' },
      { cookie: 'uid=u-1; beta=1; theme=dark' },
    ];
    for (const headers of matched) {
      const tally = await send(100, (i) => ({ ...user(i), ...headers }), true);
      expect(tally.byVersion, JSON.stringify(headers)).toEqual({ '2.0.0': 100 });
      expect(tally.bodies.every((b) => b.headers?.['x-canary-tag'] === 'canary')).toBe(true);
    }
    const lookalikes: Record<string, string>[] = [
      { app: 'mobile2' },
      { host: 'notgray.shop.example.com' },
      { host: 'gray.shop.example.com.evil.example' },
      { host: 'www.beta.example.org' },
      { cookie: 'uid=u-1; beta=10; xbeta=1' },
      {},
    ];
    for (const headers of lookalikes) {
      const tally = await send(100, (i) => ({ ...user(i), ...headers }));
      expect(tally.byVersion, JSON.stringify(headers)).toEqual({ '1.0.0': 100 });
    }
  });

  it('lets a `stable` rule decide before every later rule, testers and tags, and drops the tag', async () => {
    const bots = await send(
      200,
      (i) => ({ ...user(i), 'x-bot': '1', app: 'mobile', 'x-canary': 'always', 'x-canary-tag': 'canary' }),
      true,
    );
    expect(bots.byVersion).toEqual({ '1.0.0': 200 });
    expect(bots.bodies.some((b) => b.headers?.['x-canary-tag'] !== undefined)).toBe(false);
    // At 100% too: the rule, not the share, decides.
    expectSucceeded(await shift('100', { ColourRules: ENTRY }, ELSEWHERE), true);
    expect((await send(200, (i) => ({ ...user(i), 'x-bot': '1' }))).byVersion).toEqual({ '1.0.0': 200 });
    expect((await send(200, user)).byVersion).toEqual({ '2.0.0': 200 });
  });

  it('keeps VIPs on stable whatever rule they match', async () => {
    const vips: Record<string, string>[] = [
      { cookie: 'uid=u-9; tier=vip; beta=1', app: 'mobile' },
      { 'x-vip': 'gold', host: 'gray.shop.example.com' },
    ];
    for (const headers of vips)
      expect((await send(200, () => headers)).byVersion, JSON.stringify(headers)).toEqual({ '1.0.0': 200 });
  });

  it('marks each canary log line with whether the request arrived tagged, before this proxy tagged it', async () => {
    expectSucceeded(await shift('0', { ColourRules: ENTRY }, ELSEWHERE), true);
    const tail = pathLogTail(() => [join(dir(), 'routing-canary.log')]);
    tail.poll();
    const counted = { tagged: 0, untagged: 0 };
    const count = () => {
      const { tagged, untagged } = tail.poll();
      counted.tagged += tagged;
      counted.untagged += untagged;
      return counted;
    };
    await send(120, (i) => ({ ...user(i), 'x-canary-tag': 'canary' }));
    await send(50, (i) => ({ ...user(i), app: 'mobile' }));
    await send(30, (i) => ({ ...user(i), app: 'mobile', 'x-canary-tag': 'canary' }));
    // A wrong tag value is no tag: this proxy chose the canary for the rule, and overwrote the tag.
    await send(10, (i) => ({ ...user(i), cookie: 'beta=1', 'x-canary-tag': 'bogus' }));
    // Stable's requests are never in the canary log.
    await send(40, user);
    await expect.poll(count).toEqual({ tagged: 150, untagged: 60 });
    const lines = readFileSync(join(dir(), 'routing-canary.log'), 'utf8').trim().split('\n');
    expect(lines.at(-1)).toMatch(/ "GET \/orders\/\d+" tagged=0$/);
  });

  it('routes as a downstream service at 0% without rules: only tagged requests and testers reach its canary', async () => {
    expectSucceeded(await shift('0', { ColourRules: '' }), true);
    expect((await send(300, (i) => ({ ...user(i), app: 'mobile', cookie: 'beta=1' }))).byVersion).toEqual({
      '1.0.0': 300,
    });
    expect((await send(300, (i) => ({ ...user(i), 'x-canary-tag': 'canary' }))).byVersion).toEqual({
      '2.0.0': 300,
    });
    expect((await send(100, (i) => ({ ...user(i), 'x-canary': 'always' }))).byVersion).toEqual({
      '2.0.0': 100,
    });
    const tail = pathLogTail(() => [join(dir(), 'routing-canary.log')]);
    tail.poll();
    await send(50, (i) => ({ ...user(i), 'x-canary-tag': 'canary' }));
    await send(50, user);
    await expect.poll(() => tail.poll()).toEqual({ tagged: 50, untagged: 0 });
  });

  it('reads the host’s zone from IMDSv2, and routes every request in that zone as the zone rule says', async () => {
    imdsCalls.length = 0;
    expectSucceeded(await shift('0', { ColourRules: 'zone:eu-west-1a' }, imdsEnv()), true);
    expect(imdsCalls).toEqual(['PUT /latest/api/token', 'GET /latest/meta-data/placement/availability-zone']);
    expect(canaryShare(await send(200, user))).toBe(200);
    zone = 'eu-west-1c';
    expectSucceeded(await shift('0', { ColourRules: 'zone:eu-west-1a' }, imdsEnv()), true);
    expect(canaryShare(await send(200, user))).toBe(0);
  });

  it('keeps routing as it did when a zone rule meets a host whose zone it cannot learn', async () => {
    const conf = readFileSync(join(dir(), 'routing-nginx.conf'), 'utf8');
    const closed = { CA_AVAILABILITY_ZONE: '', CA_IMDS: `http://127.0.0.1:${await freePort()}` };
    expectFailedAndRestored(
      await shift('0', { ColourRules: 'cookie:beta=1,zone:eu-west-1a' }, closed),
      /zone colouring needs the host's zone/,
    );
    expect(readFileSync(join(dir(), 'routing-nginx.conf'), 'utf8')).toBe(conf);
    // The shift before this one made nobody's request the canary's here.
    expect(canaryShare(await send(100, (i) => ({ ...user(i), cookie: 'beta=1' })))).toBe(0);
  });
});
