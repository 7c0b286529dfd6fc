import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envoySettings, STABLE_CLUSTER } from '../../hosts/envoy-config';
import {
  CANARY_CLUSTER,
  CANARY_ELB_CLUSTER,
  ROUTING_RUNTIME_PREFIX,
  renderRoutingEnvoy,
} from '../../hosts/routing-envoy';
import { renderRoutingNginx, shareSplit } from '../../hosts/routing-nginx';
import { BUCKET_HEADER, type RoutingSettings, UNSET_VIP } from '../../hosts/routing-settings';
import { configInput } from '../../local/fixture-service-config';
import { hostCli } from '../support/host-cli';
import {
  clusterOf,
  envoyValidate,
  hcmOf,
  type Json,
  ROUTING_SETTINGS,
  routingRoutesOf,
} from './envoy-fixtures';

const settings = ROUTING_SETTINGS;

const render = (overrides: Partial<RoutingSettings> = {}): Json =>
  renderRoutingEnvoy(envoySettings({ ...settings, ...overrides }));
const routes = (overrides: Partial<RoutingSettings> = {}): Json[] =>
  routingRoutesOf({ ...settings, ...overrides });
const routeNamed = (overrides: Partial<RoutingSettings>, name: string) =>
  routes(overrides).find((r: Json) => r.name === name);
const tag = { header: { key: 'x-canary-tag', value: 'canary' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' };

describe('renderRoutingEnvoy', () => {
  it('pins VIPs to stable first, then testers and tagged requests to the canary, then splits by share', () => {
    // Each route to the canary has a twin for POST, LOCK and PATCH just before it, with the retries safe for them.
    // The live lists' routes follow the rule each adds to (routing-proxy-lists-envoy.test.ts).
    expect(routes().map((r: Json) => [r.name, r.route.cluster ?? 'weighted'])).toEqual([
      ['vip-cookie', STABLE_CLUSTER],
      ['vip-header', STABLE_CLUSTER],
      ['vip-list-cookie', STABLE_CLUSTER],
      ['vip-list-header', STABLE_CLUSTER],
      ['vip-list-client', STABLE_CLUSTER],
      ['tester-non-idempotent', CANARY_CLUSTER],
      ['tester', CANARY_CLUSTER],
      ...['cookie', 'header', 'client'].flatMap((by) => [
        [`tester-list-${by}-non-idempotent`, CANARY_CLUSTER],
        [`tester-list-${by}`, CANARY_CLUSTER],
      ]),
      ['tagged-non-idempotent', CANARY_CLUSTER],
      ['tagged', CANARY_CLUSTER],
      ['share-non-idempotent', 'weighted'],
      ['share', 'weighted'],
    ]);
    const headersOf = (name: string) => routeNamed({}, name).match.headers;
    const vipCookie = '^(?:.*[;,])?\\s*tier=vip\\s*(?:[;,].*)?$';
    expect(headersOf('vip-cookie')).toEqual([
      { name: 'cookie', string_match: { safe_regex: { regex: vipCookie } } },
    ]);
    expect(headersOf('vip-header')).toEqual([{ name: 'x-vip', string_match: { exact: 'gold' } }]);
    expect(headersOf('tester')).toEqual([{ name: 'x-canary', string_match: { exact: 'always' } }]);
    expect(headersOf('tagged')).toEqual([{ name: 'x-canary-tag', string_match: { exact: 'canary' } }]);
    expect(routeNamed({}, 'share').match).toEqual({ prefix: '/' });
  });

  it('tags what goes to the canary and strips the tag from what goes to stable', () => {
    const config = {};
    for (const name of ['tester', 'tagged']) {
      expect(routeNamed(config, name).request_headers_to_add).toContainEqual(tag);
      expect(routeNamed(config, name).request_headers_to_remove).not.toContain('x-canary-tag');
    }
    for (const name of ['vip-cookie', 'vip-header']) {
      expect(routeNamed(config, name).request_headers_to_add).not.toContainEqual(tag);
      expect(routeNamed(config, name).request_headers_to_remove).toContain('x-canary-tag');
    }
    const [canary, stable] = routeNamed(config, 'share').route.weighted_clusters.clusters;
    expect(canary).toMatchObject({ name: CANARY_CLUSTER, request_headers_to_add: [tag] });
    expect(stable).toMatchObject({ name: STABLE_CLUSTER, request_headers_to_remove: ['x-canary-tag'] });
    // The bucket is internal: no service sees it.
    for (const route of routes()) expect(route.request_headers_to_remove).toContain(BUCKET_HEADER);
  });

  it('splits by weights the runtime can change live, picked from the user’s bucket rather than at random', () => {
    const config = render({ canaryPercent: 2.5 });
    // The routes file does not change with the share: its defaults would send nobody to the canary, and the
    // runtime, which the bootstrap starts at the share, gives the weights.
    expect(routeNamed({ canaryPercent: 2.5 }, 'share').route.weighted_clusters).toMatchObject({
      clusters: [
        { name: CANARY_CLUSTER, weight: 0 },
        { name: STABLE_CLUSTER, weight: 1_000_000 },
      ],
      runtime_key_prefix: ROUTING_RUNTIME_PREFIX,
      header_name: BUCKET_HEADER,
    });
    expect(routes({ canaryPercent: 2.5 })).toEqual(routes({ canaryPercent: 100 }));
    const layers = config.layered_runtime.layers;
    expect(layers[0].static_layer).toEqual({
      'canary_agent.weight.canary': 25_000,
      'canary_agent.weight.stable': 975_000,
      're2.max_program_size.error_level': 1_000_000,
    });
    expect(layers.at(-1)).toEqual({ name: 'admin', admin_layer: {} });
    const weights = (percent: number) => {
      const layer = render({ canaryPercent: percent }).layered_runtime.layers[0].static_layer;
      return [layer['canary_agent.weight.canary'], layer['canary_agent.weight.stable']];
    };
    expect(weights(0)).toEqual([0, 1_000_000]);
    expect(weights(100)).toEqual([1_000_000, 0]);
  });

  it('computes the bucket in a Lua filter before the router, from the sticky cookie', () => {
    const filters = hcmOf(render()).http_filters;
    expect(filters.map((f: Json) => f.name)).toEqual(['envoy.filters.http.lua', 'envoy.filters.http.router']);
    const script: string = filters[0].typed_config.default_source_code.inline_string;
    expect(script).toContain('local COOKIE = "uid"');
    expect(script).toContain(`headers:replace("${BUCKET_HEADER}", tostring(h % 1000000))`);
    expect(script).toContain('x-forwarded-for');
  });

  it('fails the canary over to stable: an aggregate cluster, outlier ejection, one retry on the next priority', () => {
    const config = render();
    expect(clusterOf(config, CANARY_CLUSTER)).toMatchObject({
      lb_policy: 'CLUSTER_PROVIDED',
      cluster_type: {
        name: 'envoy.clusters.aggregate',
        typed_config: { clusters: [CANARY_ELB_CLUSTER, STABLE_CLUSTER] },
      },
    });
    expect(clusterOf(config, CANARY_ELB_CLUSTER)).toMatchObject({
      cluster_type: { name: 'envoy.clusters.dns', typed_config: { respect_dns_ttl: true } },
      outlier_detection: {
        // 502/503/504 and failures to connect or answer, as nginx counts them; a 500 ejects nothing.
        split_external_local_origin_errors: true,
        consecutive_gateway_failure: 5,
        enforcing_consecutive_gateway_failure: 100,
        consecutive_local_origin_failure: 5,
        enforcing_consecutive_5xx: 0,
        failure_percentage_threshold: 10,
        failure_percentage_request_volume: 10,
        failure_percentage_minimum_hosts: 1,
        enforcing_failure_percentage: 0,
        enforcing_failure_percentage_local_origin: 100,
        enforcing_success_rate: 0,
        base_ejection_time: '60s',
        max_ejection_percent: 100,
      },
      load_assignment: {
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: settings.canaryHost, port_value: 80 } } } },
            ],
          },
        ],
      },
    });
    for (const name of ['tester', 'tagged', 'share']) {
      expect(routeNamed({}, name).route.retry_policy).toMatchObject({
        retry_on: 'connect-failure,refused-stream,reset,retriable-status-codes',
        retriable_status_codes: [502, 503, 504],
        num_retries: 1,
        retry_priority: { name: 'envoy.retry_priorities.previous_priorities' },
      });
      // POST, LOCK and PATCH: only what failed before the canary got the request.
      expect(routeNamed({}, `${name}-non-idempotent`).route.retry_policy).toMatchObject({
        retry_on: 'connect-failure,refused-stream,reset-before-request',
        num_retries: 1,
      });
    }
  });

  it("uses nginx's timeouts and sends the service the headers nginx sent", () => {
    const config = render();
    for (const route of routes()) {
      // nginx bounds the time between two reads or writes, never the whole response.
      expect(route.route.timeout).toBe('0s');
      expect(route.route.idle_timeout).toBe('90s');
      expect(route.request_headers_to_add).toContainEqual({
        header: { key: 'x-real-ip', value: '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%' },
        append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
      });
    }
    for (const cluster of config.static_resources.clusters) expect(cluster.connect_timeout).toBe('5s');
    expect(hcmOf(config)).toMatchObject({
      stream_idle_timeout: '90s',
      use_remote_address: true,
      common_http_protocol_options: { idle_timeout: '75s' },
    });
    expect(hcmOf(config).http_filters.at(-1).typed_config.suppress_envoy_headers).toBe(true);
    expect(config.static_resources.listeners[0].enable_reuse_port).toBe(true);
  });

  it('renders VIP rules a service leaves out for a cookie and header no client is meant to send', () => {
    const { vipCookie: _a, vipCookieValue: _b, vipHeader: _c, vipHeaderValue: _d, ...rules } = settings.rules;
    expect(routeNamed({ rules }, 'vip-header').match.headers).toEqual([
      { name: UNSET_VIP, string_match: { exact: UNSET_VIP } },
    ]);
    expect(routeNamed({ rules }, 'vip-cookie').match.headers[0].string_match.safe_regex.regex).toContain(
      `${UNSET_VIP}=${UNSET_VIP}`,
    );
  });

  it('logs each failover, a canary-routed request the local service answered, as the routing nginx does', () => {
    const failoverLog = '/var/lib/canary-agent/orders-api/routing-failover.log';
    const config = renderRoutingEnvoy({ ...envoySettings(settings), failoverLog });
    const log = hcmOf(config).access_log.find((l: Json) => l.typed_config.path === failoverLog);

    expect(log.typed_config).toMatchObject({
      path: failoverLog,
      log_format: { json_format: { upstream: '%UPSTREAM_HOST%' } },
    });
    // Routed to the canary (its routes add the tag), sent to the stable endpoint: the aggregate fell back.
    expect(log.filter.extension_filter.typed_config.expression).toBe(
      "request.headers['x-canary-tag'] == 'canary' && upstream.address == '127.0.0.1:8080'",
    );
    // Without a failover log, only the host's access log.
    expect(hcmOf(render()).access_log.map((l: Json) => l.typed_config.path)).toEqual([settings.accessLog]);
    // Envoy's own API protos accept it, with no deprecated field.
    expect(envoyValidate(config)).toEqual({ said: 'valid', status: 0 });
  });
});

describe('renderRoutingNginx', () => {
  const instance = {
    pidFile: '/run/x.pid',
    tempDir: '/tmp/x',
    errorLog: '/tmp/x.log',
    canaryLog: '/tmp/canary.log',
    failoverLog: '/tmp/failover.log',
    listsDir: '/tmp/lists/0123456789abcdef',
    workerProcesses: 'auto',
  };

  it('splits users by their sticky key, with VIP first, and fails the canary over to the local service', () => {
    const conf = renderRoutingNginx(settings, instance);
    expect(conf).toContain('"~(?:^|[;,]\\s*)uid=(?<canary_agent_sticky>[^;,]+)" $canary_agent_sticky;');
    expect(conf).toMatch(
      /split_clients "\$\{canary_agent_user\}" \$canary_agent_in_share \{\n\s+10% 1;\n\s+\* 0;/,
    );
    expect(conf).toContain('map $http_x_vip $canary_agent_vip_header {\n    "~^gold$" 1;');
    expect(conf).toContain('map $http_x_canary $canary_agent_tester {\n    "~^always$" 1;');
    // Not a VIP: a `new` colouring rule, else a tester, a tagged request or the share (no rules here).
    expect(conf).toContain('"~^0+:new:" canary;\n    "~^0+::.*1" canary;\n    default stable;');
    expect(conf).toContain('map "" $canary_agent_colour_1 {\n    default "";');
    expect(conf).toContain(
      'server orders-canary-123.eu-west-1.elb.amazonaws.com:80 max_fails=5 fail_timeout=60s;',
    );
    expect(conf).toContain('server 127.0.0.1:8080 backup;');
    expect(conf).toContain('proxy_next_upstream error timeout http_502 http_503 http_504;');
    expect(conf).toContain('proxy_set_header x-canary-tag $canary_agent_tag;');
    expect(conf).toContain('proxy_read_timeout 60s;');
    expect(conf).toContain('access_log /tmp/canary.log canary_agent_routing if=$canary_agent_log;');
  });

  it('takes shares nginx’s split_clients cannot say (0%) as nobody in the share', () => {
    expect(shareSplit(0)).toBe('100% 0');
    expect(shareSplit(2.5)).toBe('2.5% 1');
    expect(shareSplit(100)).toBe('100% 1');
    expect(() => shareSplit(101)).toThrow(RangeError);
  });
});

describe('cli.ts render-routing', () => {
  it('prints the routing proxy for a service configuration, a share and a driver, or says what is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-cli-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify(configInput()));
    const good = ['render-routing', '--config', join(dir, 'good.json')];
    const [envoy, nginx, bad, routes, badList] = await Promise.all([
      hostCli(...good, '--percent', '10'),
      hostCli(...good, '--percent', '0', '--driver', 'nginx'),
      hostCli(...good, '--percent', '150'),
      hostCli(...good, '--percent', '10', '--routes', '--vips', 'u-1,10.0.0.0/8'),
      hostCli(...good, '--vips', 'u-1,10.0.0.1/8'),
    ]);
    rmSync(dir, { recursive: true, force: true });
    const printed = JSON.parse(envoy.stdout);
    expect(printed.layered_runtime.layers[0].static_layer['canary_agent.weight.canary']).toBe(100_000);
    expect(nginx.stdout).toContain('100% 0;');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--percent must be a number from 0 to 100');
    const listRoute = JSON.parse(routes.stdout).resources[0].virtual_hosts[0].routes[4];
    expect(listRoute.match.headers[0].string_match.safe_regex.regex).toMatch(/^10\\\./);
    expect(badList.code).toBe(2);
    expect(badList.stderr).toContain('the network is `10.0.0.0/8`');
  });
});
