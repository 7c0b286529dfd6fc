import { describe, expect, it } from 'vitest';
import {
  envoySettings,
  renderEnvoyConfig,
  routeTimeouts,
  STABLE_CLUSTER,
  UPSTREAM_IDLE_SECONDS,
} from '../../hosts/envoy-config';
import type { ProxySettings } from '../../hosts/proxy-settings';
import { renderRoutingEnvoy } from '../../hosts/routing-envoy';
import { routesFile } from '../../hosts/routing-envoy-routes';
import { NO_LISTS } from '../../hosts/routing-lists';
import {
  clusterOf,
  envoyValidate,
  hcmOf,
  type Json,
  MIRROR_SETTINGS,
  ROUTING_SETTINGS,
} from './envoy-fixtures';

// What the service sees behind the Envoy that replaces its nginx, in both Envoys the agent runs.

const mirror = MIRROR_SETTINGS;
const routing = ROUTING_SETTINGS;

const renderMirror = (overrides: Partial<ProxySettings> = {}): Json =>
  renderEnvoyConfig(envoySettings({ ...mirror, ...overrides }));
const both = (): [string, Json][] => [
  ['mirroring', renderMirror()],
  ['routing', renderRoutingEnvoy(envoySettings(routing))],
];
const secondsOf = (duration: string) => Number(duration.replace(/s$/, ''));

describe('the live listener of both Envoys', () => {
  it('keeps the load balancer’s X-Forwarded-Proto and appends the peer to X-Forwarded-For, as nginx did', () => {
    for (const [name, config] of both()) {
      const hcm = hcmOf(config);
      // Appending the peer is $proxy_add_x_forwarded_for; one trusted hop (the ELB) keeps its X-Forwarded-Proto.
      expect(hcm.use_remote_address, name).toBe(true);
      expect(hcm.xff_num_trusted_hops, name).toBe(1);
      expect(hcm.skip_xff_append, name).toBeUndefined();
    }
  });

  it('sends the service no x-envoy-* header and no x-request-id of its own making', () => {
    for (const [name, config] of both()) {
      const hcm = hcmOf(config);
      // The routing Envoy's route configuration is in its routes file (hosts/routing-envoy-routes.ts).
      const routeConfig =
        name === 'routing'
          ? JSON.parse(routesFile(envoySettings(routing), NO_LISTS)).resources[0]
          : hcm.route_config;
      expect(routeConfig.request_headers_to_remove, name).toEqual(
        expect.arrayContaining(['x-envoy-external-address', 'x-envoy-internal']),
      );
      expect(hcm.http_filters.at(-1).typed_config.suppress_envoy_headers, name).toBe(true);
      expect(hcm.preserve_external_request_id, name).toBe(true);
      expect(hcm.generate_request_id, name).toBe(false);
    }
  });

  it('drops client headers with underscores, as nginx’s `underscores_in_headers off` does', () => {
    for (const [name, config] of both()) {
      expect(hcmOf(config).common_http_protocol_options.headers_with_underscores_action, name).toBe(
        'DROP_HEADER',
      );
    }
  });

  it('closes idle connections to the local service before a service with a short keep-alive does', () => {
    for (const [name, config] of both()) {
      const stable = clusterOf(config, STABLE_CLUSTER);
      const options =
        stable.typed_extension_protocol_options?.['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
      // Unset, Envoy keeps an idle upstream connection open for an hour.
      const idle = secondsOf(options?.common_http_protocol_options?.idle_timeout ?? '3600s');
      // Below Node's 5 s and gunicorn's 2 s keep-alive, and not 0 (which would keep connections forever).
      expect(idle, name).toBeGreaterThan(0);
      expect(idle, name).toBeLessThan(2);
      expect(idle, name).toBe(UPSTREAM_IDLE_SECONDS);
      expect(stable.common_http_protocol_options, name).toBeUndefined();
    }
  });
});

describe('the mirroring Envoy’s route', () => {
  it('bounds the time between two reads or writes as nginx did, never the whole response', () => {
    for (const [read, send] of [
      [60, 90],
      [300, 10],
    ] as const) {
      const [route] = hcmOf(renderMirror({ readTimeoutSeconds: read, sendTimeoutSeconds: send })).route_config
        .virtual_hosts[0].routes;
      // `0s` disables Envoy's whole-response deadline (15 s by default): a long download that keeps moving ends.
      expect(route.route.timeout).toBe('0s');
      expect(route.route.idle_timeout).toBe(`${Math.max(read, send)}s`);
    }
    expect(routeTimeouts({ streamIdleTimeoutSeconds: 75 })).toEqual({ timeout: '0s', idle_timeout: '75s' });
  });
});

describe('the mirroring Envoy’s bootstrap', () => {
  it('uses no field Envoy’s API marks deprecated (envoy-validate --deny-deprecated --strict)', () => {
    for (const percent of [0.01, 2.5, 100]) {
      expect(envoyValidate(renderMirror({ mirrorPercent: percent }), '--strict')).toEqual({
        said: 'valid',
        status: 0,
      });
    }
  });

  it('follows the canary ELB’s DNS TTL through the DNS cluster extension', () => {
    const cluster = renderMirror().static_resources.clusters.find((c: Json) => c.name !== STABLE_CLUSTER);
    expect(cluster.type).toBeUndefined();
    expect(cluster.respect_dns_ttl).toBeUndefined();
    expect(cluster.cluster_type).toEqual({
      name: 'envoy.clusters.dns',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.clusters.dns.v3.DnsCluster',
        respect_dns_ttl: true,
        dns_lookup_family: 'V4_ONLY',
      },
    });
  });
});
