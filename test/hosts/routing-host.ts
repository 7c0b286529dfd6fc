import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { RoutingRules } from '../../hosts/routing-settings';
import type { RunOutcome } from '../../hosts/run-document';
import { freePort } from '../../local/free-port';
import {
  createHost,
  destroyHost,
  type Host,
  loopbackStable,
  run,
  runService,
  startStableNginx,
} from '../../local/loopback-host';
import { send as sendTo } from './traffic';

/**
 * The shift-traffic document on a loopback host, against real nginx: a stable service (1.0.0) behind the host's
 * nginx, a canary service (2.0.0) standing in for the canary ELB, and thousands of real requests.
 * For routing.test.ts and routing-proxy-*.test.ts.
 */
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api';
export const RULES: RoutingRules = {
  stickyCookie: 'uid',
  testerHeader: 'X-Canary',
  testerValue: 'always',
  vipCookie: 'tier',
  vipCookieValue: 'vip',
  vipHeader: 'x-vip',
  vipHeaderValue: 'gold',
  tagHeader: 'x-canary-tag',
  tagValue: 'canary',
};

export function expectSucceeded(
  outcome: RunOutcome,
  changed: boolean,
): asserts outcome is Extract<RunOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`refused: ${outcome.refused.join(', ')}`);
  expect(outcome.exitCode, outcome.stderr).toBe(0);
  expect(outcome.summary).toMatchObject({ ok: true, changed, operation: 'shiftTraffic' });
}

/**
 * Registers the file's hosts (created before its first test, destroyed after its last) and returns them with the
 * helpers the routing tests share. `host`, `canary` and `ports` are filled in by the file's beforeAll.
 */
export function routingOnLoopback() {
  const host = {} as Host;
  const canary = {} as Host;
  const ports = {} as { listen: number; service: number; canary: number; admin: number };
  const params: Record<string, string> = {};
  const routingPid = () => join(host.root, 'run', 'orders-api-routing-nginx.pid');
  const routingMaster = () => Number(readFileSync(routingPid(), 'utf8').trim());

  const send = (
    count: number,
    headers: (i: number) => Record<string, string>,
    keepBodies = false,
    keepAlive = true,
  ) => sendTo(ports.listen, count, headers, keepBodies, keepAlive);
  const user = (i: number) => ({ cookie: `session=s${i}; uid=user-${i}` });
  const shift = (percent: string, extra: Record<string, string> = {}, env: Record<string, string> = {}) =>
    run(host, 'shift-traffic.yml', { ...params, CanaryPercent: percent, ...extra }, env);
  /** The apply-routing-lists document: the routing step's settings (no share) and new lists. */
  const applyLists = (lists: Record<string, string>, env: Record<string, string> = {}) =>
    run(host, 'apply-routing-lists.yml', { ...params, ...lists }, env);

  beforeAll(async () => {
    Object.assign(ports, {
      listen: await freePort(),
      service: await freePort(),
      canary: await freePort(),
      admin: await freePort(),
    });
    Object.assign(
      host,
      createHost('routing', ports.admin, { CA_MIRROR_PORT: String(ports.canary), FAKE_SERVICE_LOG: '0' }),
    );
    Object.assign(canary, createHost('routing-canary', await freePort(), { FAKE_SERVICE_LOG: '0' }));
    Object.assign(params, {
      Service: 'orders-api',
      ReleaseId: 'orders-api-r7',
      ProxyDriver: 'nginx',
      ListenPort: String(ports.listen),
      ServicePort: String(ports.service),
      ConnectTimeout: '5',
      ReadTimeout: '30',
      SendTimeout: '45',
      CanaryHost: '127.0.0.1',
      StickyCookie: RULES.stickyCookie,
      TesterHeader: RULES.testerHeader,
      TesterValue: RULES.testerValue,
      VipCookie: RULES.vipCookie ?? '',
      VipCookieValue: RULES.vipCookieValue ?? '',
      VipHeader: RULES.vipHeader ?? '',
      VipHeaderValue: RULES.vipHeaderValue ?? '',
      TagHeader: RULES.tagHeader,
      TagValue: RULES.tagValue,
    });
    for (const [h, port, version] of [
      [host, ports.service, '1.0.0'],
      [canary, ports.canary, '2.0.0'],
    ] as const)
      runService(h, IMAGE, port, version);
    startStableNginx(host, loopbackStable(ports.listen, ports.service));
  });

  afterAll(() => {
    destroyHost(host);
    destroyHost(canary);
  });

  /** The parameters start-mirror and stop-mirror share with shift-traffic. */
  function proxyParams(): Record<string, string> {
    const names = ['Service', 'ReleaseId', 'ProxyDriver', 'ListenPort', 'ServicePort', 'ConnectTimeout'];
    return Object.fromEntries(
      Object.entries(params).filter(([k]) => [...names, 'ReadTimeout', 'SendTimeout'].includes(k)),
    );
  }

  function routingMasterOrNull(): number | null {
    return existsSync(routingPid()) ? routingMaster() : null;
  }

  return {
    host,
    canary,
    ports,
    routingPid,
    routingMaster,
    routingMasterOrNull,
    send,
    user,
    shift,
    applyLists,
    proxyParams,
  };
}
