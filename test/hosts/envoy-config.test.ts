import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  envoySettings,
  MIRROR_CLUSTER,
  MIRROR_RUNTIME_KEY,
  mirrorFraction,
  renderEnvoyConfig,
  STABLE_CLUSTER,
} from '../../hosts/envoy-config';
import { renderMirrorNginx, splitPercent } from '../../hosts/nginx-config';
import type { ProxySettings } from '../../hosts/proxy-settings';
import { configInput } from '../../local/fixture-service-config';
import { hostCli } from '../support/host-cli';
import { clusterOf, hcmOf, type Json, MIRROR_SETTINGS } from './envoy-fixtures';

const settings = MIRROR_SETTINGS;

const render = (overrides: Partial<ProxySettings> = {}): Json =>
  renderEnvoyConfig(envoySettings({ ...settings, ...overrides }));
const listenerOf = (c: Json) => c.static_resources.listeners[0];
const routeOf = (c: Json) => hcmOf(c).route_config.virtual_hosts[0].routes[0];

describe('renderEnvoyConfig', () => {
  it('listens where nginx listened, with SO_REUSEPORT for the hand-off', () => {
    const listener = listenerOf(render());
    expect(listener.address.socket_address).toEqual({ address: '0.0.0.0', port_value: 80 });
    expect(listener.enable_reuse_port).toBe(true);
    expect(hcmOf(render())['@type']).toBe(
      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    );
  });

  it('routes everything to the local service and mirrors to the canary ELB through a DNS cluster', () => {
    const config = render();
    expect(routeOf(config).match).toEqual({ prefix: '/' });
    expect(routeOf(config).route.cluster).toBe(STABLE_CLUSTER);
    expect(clusterOf(config, STABLE_CLUSTER)).toMatchObject({
      type: 'STATIC',
      load_assignment: {
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 } } } },
            ],
          },
        ],
      },
    });
    expect(clusterOf(config, MIRROR_CLUSTER)).toMatchObject({
      cluster_type: {
        name: 'envoy.clusters.dns',
        typed_config: { respect_dns_ttl: true, dns_lookup_family: 'V4_ONLY' },
      },
      load_assignment: {
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: settings.mirrorHost, port_value: 80 } } } },
            ],
          },
        ],
      },
    });
  });

  it('mirrors a runtime fraction whose key the runtime layers define, so the share changes without a restart', () => {
    const config = render();
    const [policy] = routeOf(config).route.request_mirror_policies;
    expect(policy).toEqual({
      cluster: MIRROR_CLUSTER,
      runtime_fraction: {
        default_value: { numerator: 25_000, denominator: 'MILLION' },
        runtime_key: MIRROR_RUNTIME_KEY,
      },
      disable_shadow_host_suffix_append: true,
    });
    const layers = config.layered_runtime.layers;
    expect(layers[0].static_layer[MIRROR_RUNTIME_KEY]).toEqual({ numerator: 25_000, denominator: 'MILLION' });
    expect(layers.at(-1)).toEqual({ name: 'admin', admin_layer: {} });
  });

  it('expresses every percentage the engine sends exactly', () => {
    expect(mirrorFraction(100)).toEqual({ numerator: 1_000_000, denominator: 'MILLION' });
    expect(mirrorFraction(0.01)).toEqual({ numerator: 100, denominator: 'MILLION' });
    expect(mirrorFraction(10)).toEqual({ numerator: 100_000, denominator: 'MILLION' });
    expect(() => mirrorFraction(0)).toThrow(RangeError);
    expect(() => mirrorFraction(101)).toThrow(RangeError);
  });

  it("uses nginx's timeouts instead of Envoy's 15 s route default: between reads, never for the whole response", () => {
    const config = render();
    expect(routeOf(config).route.timeout).toBe('0s');
    expect(routeOf(config).route.idle_timeout).toBe('90s');
    expect(hcmOf(config).stream_idle_timeout).toBe('90s');
    expect(hcmOf(config).common_http_protocol_options.idle_timeout).toBe('75s');
    for (const cluster of config.static_resources.clusters) expect(cluster.connect_timeout).toBe('5s');
    expect(routeOf(render({ readTimeoutSeconds: 300, sendTimeoutSeconds: 10 })).route.idle_timeout).toBe(
      '300s',
    );
  });

  it('sends the service the headers nginx sent', () => {
    const config = render();
    expect(hcmOf(config).use_remote_address).toBe(true);
    expect(routeOf(config).request_headers_to_add).toContainEqual({
      header: { key: 'x-real-ip', value: '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%' },
      append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
    });
    expect(hcmOf(config).http_filters.at(-1).typed_config.suppress_envoy_headers).toBe(true);
  });

  it('bounds shadow traffic with circuit breakers far below the live path', () => {
    const config = render();
    const mirror = clusterOf(config, MIRROR_CLUSTER).circuit_breakers.thresholds[0];
    const stable = clusterOf(config, STABLE_CLUSTER).circuit_breakers.thresholds[0];
    expect(mirror.max_retries).toBe(0);
    for (const key of ['max_connections', 'max_pending_requests', 'max_requests'] as const) {
      expect(mirror[key]).toBeLessThan(stable[key]);
      expect(stable[key]).toBeGreaterThan(1024);
    }
  });

  it('serves readiness on a loopback admin port', () => {
    expect(render().admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9901 });
  });
});

describe('renderMirrorNginx', () => {
  it('mirrors the share through split_clients and keeps the forwarding headers', () => {
    const conf = renderMirrorNginx(
      { ...settings, resolver: '169.254.169.253' },
      { pidFile: '/run/x.pid', tempDir: '/tmp/x', errorLog: '/tmp/x.log', workerProcesses: 'auto' },
    );
    expect(conf).toContain('listen 0.0.0.0:80 reuseport;');
    expect(conf).toContain('mirror /_canary_agent_mirror;');
    expect(conf).toMatch(/split_clients "\$\{request_id\}" \$canary_agent_mirror \{\n\s+2\.5% 1;/);
    expect(conf).toContain('proxy_read_timeout 60s;');
    expect(conf).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    expect(conf).toContain('proxy_set_header X-Forwarded-Proto $canary_agent_forwarded_proto;');
    expect(conf).toContain('map $http_x_forwarded_proto $canary_agent_forwarded_proto {');
    expect(splitPercent(0.01)).toBe('0.01%');
  });
});

describe('cli.ts render-envoy', () => {
  it('prints the configuration for a service configuration and a percentage, or says what is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-cli-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify(configInput()));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...configInput(), service: 'Orders API' }));
    const [good, badPercent, badConfig] = await Promise.all([
      hostCli('render-envoy', '--config', join(dir, 'good.json'), '--percent', '10'),
      hostCli('render-envoy', '--config', join(dir, 'good.json'), '--percent', 'lots'),
      hostCli('render-envoy', '--config', join(dir, 'bad.json')),
    ]);
    rmSync(dir, { recursive: true, force: true });
    const printed = JSON.parse(good.stdout);
    expect(routeOf(printed).route.request_mirror_policies[0].runtime_fraction.default_value.numerator).toBe(
      100_000,
    );
    expect(listenerOf(printed).address.socket_address.port_value).toBe(80);
    expect(badPercent.code).toBe(2);
    expect(badPercent.stderr).toContain('--percent must be a number from 0.01 to 100');
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('service: a service name such as');
  });
});
