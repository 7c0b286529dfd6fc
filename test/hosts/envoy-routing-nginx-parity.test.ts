import { describe, expect, it } from 'vitest';
import { envoySettings, STABLE_CLUSTER } from '../../hosts/envoy-config';
import { CANARY_CLUSTER, CANARY_ELB_CLUSTER, renderRoutingEnvoy } from '../../hosts/routing-envoy';
import { routesFile } from '../../hosts/routing-envoy-routes';
import { NO_LISTS } from '../../hosts/routing-lists';
import type { RoutingSettings } from '../../hosts/routing-settings';
import { clusterOf, envoyValidate, type Json, ROUTING_SETTINGS, routingRoutesOf } from './envoy-fixtures';

// The routing Envoy's VIP cookie match, its failover retry limits and which requests it retries.
const settings: RoutingSettings = {
  ...ROUTING_SETTINGS,
  rules: { ...ROUTING_SETTINGS.rules, vipCookie: 'vip', vipCookieValue: '1' },
};

const config: Json = renderRoutingEnvoy(envoySettings(settings));
const routes = routingRoutesOf(settings);
const routeNamed = (name: string) => routes.find((r) => r.name === name);
const clusterNamed = (name: string) => clusterOf(config, name);
/**
 * Envoy's `safe_regex` is RE2 and must match the whole value. The patterns checked here use only syntax RE2
 * and JavaScript read alike (`^`, `$`, `(?:…)`, `[;,]`, `\s`, `.*`, `|`), so anchoring them reproduces
 * Envoy's full match in JavaScript.
 */
const fullMatch = (regex: string, value: string) => new RegExp(`^(?:${regex})$`).test(value);
const tagGate = [{ name: 'x-canary-tag', string_match: { exact: 'canary' } }];

describe('routing Envoy, VIP cookie', () => {
  const matcher = routeNamed('vip-cookie').match.headers[0];
  const regex: string = matcher.string_match.safe_regex.regex;

  it('pins a VIP to stable whatever other cookies the Cookie header holds around theirs', () => {
    for (const cookie of ['vip=1', 'a=1; vip=1; b=2', 'a=1; vip=1', 'vip=1; b=2', 'a=1;vip=1,b=2']) {
      expect(fullMatch(regex, cookie), cookie).toBe(true);
    }
  });

  it('does not take a longer value or a cookie whose name ends in the VIP cookie for the VIP cookie', () => {
    for (const cookie of ['vip=10', 'xvip=1', 'a=1; xvip=1; b=2', 'a=1; vip=10', 'a=vip=1', '']) {
      expect(fullMatch(regex, cookie), cookie).toBe(false);
    }
  });

  it('is the first route, on the cookie header, to stable, with no retry', () => {
    expect(routes[0].name).toBe('vip-cookie');
    expect(matcher).toEqual({ name: 'cookie', string_match: { safe_regex: { regex } } });
    expect(routes[0].route.cluster).toBe(STABLE_CLUSTER);
    expect(routes[0].route.retry_policy).toBeUndefined();
  });
});

describe('routing Envoy, failover retry limits', () => {
  it('lets every cluster a failover retry goes through retry as many requests as it admits', () => {
    for (const name of [CANARY_CLUSTER, CANARY_ELB_CLUSTER, STABLE_CLUSTER]) {
      const [threshold] = clusterNamed(name).circuit_breakers.thresholds;
      expect(threshold.priority, name).toBe('DEFAULT');
      // Envoy's default is 3 concurrent retries per cluster: a 4th failing canary request would not fail over.
      expect(threshold.max_retries, name).toBeGreaterThanOrEqual(threshold.max_requests);
      expect(threshold.max_requests, name).toBeGreaterThanOrEqual(100_000);
    }
  });
});

describe('routing Envoy, which requests are retried', () => {
  const canaryBound = [
    'tester',
    'tester-list-cookie',
    'tester-list-header',
    'tester-list-client',
    'tagged',
    'share',
  ];

  it('puts a non-idempotent twin (POST, LOCK, PATCH) just before each canary-bound route', () => {
    expect(routes.map((r) => r.name)).toEqual([
      'vip-cookie',
      'vip-header',
      'vip-list-cookie',
      'vip-list-header',
      'vip-list-client',
      'tester-non-idempotent',
      'tester',
      ...['cookie', 'header', 'client'].flatMap((by) => [
        `tester-list-${by}-non-idempotent`,
        `tester-list-${by}`,
      ]),
      'tagged-non-idempotent',
      'tagged',
      'share-non-idempotent',
      'share',
    ]);
    for (const name of canaryBound) {
      const twin = routeNamed(`${name}-non-idempotent`);
      const method = twin.match.headers.find((h: Json) => h.name === ':method');
      const regex: string = method.string_match.safe_regex.regex;
      for (const m of ['POST', 'LOCK', 'PATCH']) expect(fullMatch(regex, m), m).toBe(true);
      for (const m of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POSTX'])
        expect(fullMatch(regex, m), m).toBe(false);
      // Same destination and other matchers as the route it stands before.
      const { retry_policy: _a, ...twinAction } = twin.route;
      const { retry_policy: _b, ...action } = routeNamed(name).route;
      expect(twinAction).toEqual(action);
      expect(twin.match.headers.filter((h: Json) => h.name !== ':method')).toEqual(
        routeNamed(name).match.headers ?? [],
      );
    }
  });

  it('retries a non-idempotent request only when it failed before being sent, with no per-try timeout', () => {
    for (const name of canaryBound) {
      const policy = routeNamed(`${name}-non-idempotent`).route.retry_policy;
      expect(policy.retry_on.split(',').sort(), name).toEqual([
        'connect-failure',
        'refused-stream',
        'reset-before-request',
      ]);
      expect(policy.retriable_status_codes, name).toBeUndefined();
      expect(policy.per_try_timeout, name).toBeUndefined();
      expect(policy.num_retries, name).toBe(1);
      expect(policy.retriable_request_headers, name).toEqual(tagGate);
    }
  });

  it('retries other methods also on a reset, a stalled attempt or 502/503/504, with no deadline on the whole response', () => {
    for (const name of canaryBound) {
      const { route } = routeNamed(name);
      expect(route.retry_policy.retry_on.split(',').sort(), name).toEqual([
        'connect-failure',
        'refused-stream',
        'reset',
        'retriable-status-codes',
      ]);
      expect(route.retry_policy).toMatchObject({
        retriable_status_codes: [502, 503, 504],
        num_retries: 1,
        retriable_request_headers: tagGate,
        retry_priority: { name: 'envoy.retry_priorities.previous_priorities' },
      });
      // nginx's proxy_read_timeout, per attempt and between two reads: never a bound on the whole attempt.
      expect(route.retry_policy.per_try_timeout, name).toBeUndefined();
      expect(route.retry_policy.per_try_idle_timeout, name).toBe('60s');
      expect(route.timeout).toBe('0s');
    }
  });

  it('retries only what went to the canary: the share’s stable leg drops the tag the retry gate needs', () => {
    const [canaryLeg, stableLeg] = routeNamed('share').route.weighted_clusters.clusters;
    // The router applies the chosen leg's headers before it reads the retry policy's request-header gate.
    expect(routeNamed('share').route.retry_policy.retriable_request_headers).toEqual(tagGate);
    expect(canaryLeg.request_headers_to_add).toContainEqual({
      header: { key: 'x-canary-tag', value: 'canary' },
      append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
    });
    expect(stableLeg).toMatchObject({ name: STABLE_CLUSTER, request_headers_to_remove: ['x-canary-tag'] });
    for (const name of ['tester', 'tester-list-cookie', 'tagged']) {
      expect(routeNamed(name).route.cluster).toBe(CANARY_CLUSTER);
      expect(routeNamed(name).request_headers_to_add).toContainEqual(canaryLeg.request_headers_to_add[0]);
    }
    for (const name of ['vip-cookie', 'vip-header', 'vip-list-cookie', 'vip-list-header', 'vip-list-client'])
      expect(routeNamed(name).route.retry_policy).toBeUndefined();
  });

  it("passes Envoy's API protos (../shared/tools/envoy-validate, no deprecated field), with and without the failover log", () => {
    const failoverLog = '/var/lib/canary-agent/orders-api/routing-failover.log';
    for (const rendered of [config, renderRoutingEnvoy({ ...envoySettings(settings), failoverLog })]) {
      expect(envoyValidate(rendered)).toEqual({ said: 'valid', status: 0 });
    }
    // And its routes file, which holds who goes where.
    const routesDocument = JSON.parse(routesFile(envoySettings(settings), NO_LISTS));
    const type = ['--type', 'envoy.service.discovery.v3.DiscoveryResponse'];
    expect(envoyValidate(routesDocument, ...type)).toEqual({ said: 'valid', status: 0 });
  });
});
