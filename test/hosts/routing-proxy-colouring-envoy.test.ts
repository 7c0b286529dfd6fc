import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseColourRules } from '../../domain/colouring';
import { envoySettings } from '../../hosts/envoy-config';
import { ENVOY_CANARY_FORMAT, renderRoutingEnvoy, TAGGED_METADATA } from '../../hosts/routing-envoy';
import { routesFile } from '../../hosts/routing-envoy-routes';
import { NO_LISTS } from '../../hosts/routing-lists';
import { loopbackStable } from '../../local/loopback-host';
import { envoyValidate, hcmOf, type Json } from './envoy-fixtures';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { RULES, routingOnLoopback } from './routing-host';

/*
 * Colouring rules with the Envoy driver: the routes file and bootstrap the shift-traffic document renders in bash
 * are the renderer's, and Envoy's API protos take them. Envoy cannot run here: its validation is a stand-in that
 * records what it was given (set-up in routing-host.ts); routing-proxy-colouring-parity.test.ts compares what the
 * routes match with what the routing nginx does.
 */

const { host, ports, shift } = routingOnLoopback();
const dir = () => join(host.root, 'state', 'orders-api');
const ENTRY =
  'header:x-bot=1:stable,header:App=mobile,host:gray.shop.example.com,hostPrefix:beta.,cookie:beta=1,zone:eu-west-1a';
const parsed = parseColourRules(ENTRY);
if (!parsed.ok) throw new Error(parsed.problem);
const envoyParams = { ProxyDriver: 'envoy', ColourRules: ENTRY };
const settings = (availabilityZone: string) =>
  envoySettings({
    ...loopbackStable(ports.listen, ports.service),
    canaryHost: '127.0.0.1',
    canaryPort: ports.canary,
    canaryPercent: 10,
    adminPort: ports.admin,
    accessLog: join(host.root, 'access.log'),
    rules: { ...RULES, colouring: parsed.rules },
    availabilityZone,
  });

describe('colouring rules with the Envoy driver', () => {
  for (const zone of ['eu-west-1a', 'eu-west-1b']) {
    it(`renders the routes in bash as the renderer does, in ${zone}, and Envoy’s API protos accept them`, async () => {
      const [seen, seenRoutes] = [join(host.root, 'envoy-seen.json'), join(host.root, 'routes-seen.json')];
      const outcome = await shift('10', envoyParams, {
        CA_AVAILABILITY_ZONE: zone,
        FAKE_ENVOY_REJECT: '1',
        FAKE_ENVOY_SEEN: seen,
        FAKE_ENVOY_SEEN_ROUTES: seenRoutes,
      });
      expectFailedAndRestored(outcome, /envoy --mode validate rejected/);
      const routes = readFileSync(seenRoutes, 'utf8');
      expect(routes).toBe(routesFile(settings(zone), NO_LISTS));
      const bootstrap = {
        ...settings(zone),
        failoverLog: join(dir(), 'routing-failover.log'),
        canaryLog: join(dir(), 'routing-canary.log'),
        routesFile: join(dir(), 'routing-routes.json'),
      };
      expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual(renderRoutingEnvoy(bootstrap));
      const type = ['--type', 'envoy.service.discovery.v3.DiscoveryResponse'];
      expect(envoyValidate(JSON.parse(routes), '--strict', ...type)).toEqual({ said: 'valid', status: 0 });
      expect(envoyValidate(renderRoutingEnvoy(bootstrap), '--strict')).toEqual({ said: 'valid', status: 0 });
    });
  }

  it('puts the rules’ routes after the VIPs and before the testers, in their order, matching what nginx reads', () => {
    const routes: Json[] = JSON.parse(routesFile(settings('eu-west-1b'), NO_LISTS)).resources[0]
      .virtual_hosts[0].routes;
    const colour = routes.filter((r) => r.name.startsWith('colour-'));
    expect(colour.map((r) => [r.name, r.route.cluster, r.match.headers[0]])).toEqual([
      ['colour-1-header', 'stable', { name: 'x-bot', string_match: { safe_regex: { regex: '1' } } }],
      [
        'colour-2-header-non-idempotent',
        'canary',
        { name: 'App', string_match: { safe_regex: { regex: 'mobile' } } },
      ],
      ['colour-2-header', 'canary', { name: 'App', string_match: { safe_regex: { regex: 'mobile' } } }],
      ...['-non-idempotent', ''].map((twin) => [
        `colour-3-host${twin}`,
        'canary',
        {
          name: ':authority',
          string_match: { safe_regex: { regex: '(?i)gray\\.shop\\.example\\.com(?::[0-9]+)?' } },
        },
      ]),
      ...['-non-idempotent', ''].map((twin) => [
        `colour-4-host-prefix${twin}`,
        'canary',
        { name: ':authority', string_match: { safe_regex: { regex: '(?i)beta\\..*' } } },
      ]),
      ...['-non-idempotent', ''].map((twin) => [
        `colour-5-cookie${twin}`,
        'canary',
        { name: 'cookie', string_match: { safe_regex: { regex: '(?:.*[;,])?\\s*beta=1\\s*(?:[;,].*)?' } } },
      ]),
      // Not this host's zone: a route that matches nothing.
      ...['-non-idempotent', ''].map((twin) => [
        `colour-6-zone${twin}`,
        'canary',
        { name: ':path', string_match: { safe_regex: { regex: '\\b\\B' } } },
      ]),
    ]);
    const names = routes.map((r) => r.name);
    expect(names.indexOf('colour-1-header')).toBe(names.indexOf('vip-list-client') + 1);
    expect(names.indexOf('tester-non-idempotent')).toBe(names.indexOf('colour-6-zone') + 1);
    // A `stable` rule drops the tag, as the VIP routes do; a `new` rule's routes set it.
    expect(colour[0].request_headers_to_remove).toContain('x-canary-tag');
    expect(colour[2].request_headers_to_add).toContainEqual({
      header: { key: 'x-canary-tag', value: 'canary' },
      append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
    });
  });

  it('logs each canary-routed request with whether it arrived tagged, which its Lua filter reads before routing', () => {
    const config = renderRoutingEnvoy({
      ...settings('eu-west-1b'),
      canaryLog: '/var/lib/canary-agent/x/routing-canary.log',
    });
    const hcm = hcmOf(config);
    const log = hcm.access_log.find(
      (l: Json) => l.typed_config.path === '/var/lib/canary-agent/x/routing-canary.log',
    );
    expect(log.typed_config.log_format.text_format_source.inline_string).toBe(`${ENVOY_CANARY_FORMAT}\n`);
    expect(ENVOY_CANARY_FORMAT).toMatch(/ tagged=%DYNAMIC_METADATA\(canary_agent:tagged\)%$/);
    expect(log.filter.extension_filter.typed_config.expression).toBe(
      "request.headers['x-canary-tag'] == 'canary'",
    );
    const script: string = hcm.http_filters[0].typed_config.default_source_code.inline_string;
    expect(script).toContain('local TAG, TAGGED = "x-canary-tag", "canary"');
    expect(script).toContain(
      `dynamicMetadata():set("${TAGGED_METADATA.namespace}", "${TAGGED_METADATA.key}", headers:get(TAG) == TAGGED and "1" or "0")`,
    );
    // Read before the routes change the request: the first thing the script does with its headers.
    expect(script.indexOf('dynamicMetadata')).toBeLessThan(script.indexOf('headers:replace'));
  });
});
