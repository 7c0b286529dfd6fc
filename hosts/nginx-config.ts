import { accessLogPath } from './access-log';
import type { LiveListener, ProxySettings } from './proxy-settings';

/** Files of one nginx instance; the mirroring instance runs beside the host's own, so it needs its own. */
export interface NginxInstance {
  readonly pidFile: string;
  /** Directory for client bodies and proxy buffers, writable by nginx's workers. */
  readonly tempDir: string;
  readonly errorLog: string;
  /** `auto` on hosts; tests use 1 to stay light on a shared machine. */
  readonly workerProcesses: string;
}

export type StableSettings = Pick<ProxySettings, LiveListener | 'readTimeoutSeconds' | 'sendTimeoutSeconds'>;

export interface MirrorNginxSettings extends ProxySettings {
  /** DNS resolver for the ELB name, re-resolved every 30 s (the VPC resolver on EC2: 169.254.169.253). */
  readonly resolver: string;
}

/** `2.5` -> "2.5%": split_clients takes at most two decimals. */
export function splitPercent(percent: number): string {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`mirror percent ${percent} is not in (0, 100]`);
  return `${Math.round(percent * 100) / 100}%`;
}

export function preamble(instance: NginxInstance): string {
  return `worker_processes ${instance.workerProcesses};
pid ${instance.pidFile};
error_log ${instance.errorLog} warn;
events { worker_connections 4096; }
`;
}

export function tempPaths(instance: NginxInstance): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${instance.tempDir}/${kind};`)
    .join('\n');
}

/**
 * The drain switch's file: while it exists, this nginx answers every request with `Connection: close` (the
 * hand-off's drain, docs/hand-offs.md). Next to the pid file, so a host script finds it from the pid file alone.
 */
export function drainFlag(instance: Pick<NginxInstance, 'pidFile'>): string {
  return `${instance.pidFile}.draining`;
}

/** The named location that serves a request like the live one but closes its connection after the response. */
export const DRAINING_LOCATION = '@canary_agent_draining';

/**
 * The live location's drain switch and the draining location: `keepalive_timeout 0` makes nginx send `Connection:
 * close` and close once the response is out, so a client never sends on a connection nginx is about to close.
 * The named location keeps the request as it came (URI, method, body), and `if` at the location's level leaves
 * internal subrequests (the mirror's) alone. `body` is the live location's directives, indented by six.
 */
export function drainable(instance: Pick<NginxInstance, 'pidFile'>, body: string): string {
  return `    location / {
      # canary-agent's drain switch (docs/hand-offs.md): while the file exists, close after each response.
      if (-f ${drainFlag(instance)}) { return 418; }
      error_page 418 = ${DRAINING_LOCATION};
${body}
    }
    location ${DRAINING_LOCATION} {
      keepalive_timeout 0;
${body}
    }`;
}

/**
 * The scheme the client used: the load balancer's X-Forwarded-Proto (https behind an HTTPS listener) when it sent
 * one, this listener's own otherwise. `$scheme` alone would tell a service behind HTTPS that it is plain HTTP,
 * and a service that redirects to HTTPS would loop. Goes in each `http` block that uses `forwardedHeaderLines`.
 */
export const forwardedProtoMap = `  map $http_x_forwarded_proto $canary_agent_forwarded_proto {
    default $http_x_forwarded_proto;
    "" $scheme;
  }`;

/** The headers the service sees behind nginx; both proxies must send the same. */
export const forwardedHeaderLines = `      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $canary_agent_forwarded_proto;`;

export function timeouts(s: StableSettings, indent: string): string {
  return [
    `proxy_connect_timeout ${s.connectTimeoutSeconds}s;`,
    `proxy_read_timeout ${s.readTimeoutSeconds}s;`,
    `proxy_send_timeout ${s.sendTimeoutSeconds}s;`,
  ]
    .map((line) => indent + line)
    .join('\n');
}

function upstream(s: StableSettings): string {
  return `  upstream ${s.service}_stable {
    server ${s.upstreamAddress}:${s.servicePort};
    keepalive 32;
  }`;
}

function stableLocation(s: StableSettings): string {
  return `      proxy_pass http://${s.service}_stable;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
${forwardedHeaderLines}
${timeouts(s, '      ')}`;
}

/**
 * The host's own nginx in the shape the hand-off needs: `reuseport` on the live listener, so a second proxy
 * can bind the same port before this one lets go, and the drain switch (`drainable`), so that it can tell its
 * clients to reconnect before it stops. Tests and the sandbox run it; on hosts it is the reference
 * for the `listen ... reuseport` change (start-mirror checks for it).
 */
export function renderStableNginx(s: StableSettings, instance: NginxInstance): string {
  return `# Rendered by canary-agent (hosts/nginx-config.ts): ${s.service}, nginx in front of the service.
${preamble(instance)}http {
  access_log off;
${tempPaths(instance)}
${forwardedProtoMap}
${upstream(s)}
  server {
    listen ${s.listenAddress}:${s.listenPort} reuseport;
${drainable(instance, stableLocation(s))}
  }
}
`;
}

/**
 * A second nginx that serves like the host's own and mirrors a share of requests to the canary ELB with
 * nginx's `mirror` module. `mirror` takes no variables, so every request makes an internal subrequest and
 * `split_clients` decides whether that subrequest goes out or ends at once with 204.
 */
export function renderMirrorNginx(s: MirrorNginxSettings, instance: NginxInstance): string {
  return `# Rendered by canary-agent (hosts/nginx-config.ts): ${s.service}, mirroring ${splitPercent(s.mirrorPercent)} to ${s.mirrorHost}.
${preamble(instance)}http {
  access_log off;
${tempPaths(instance)}
${forwardedProtoMap}
  resolver ${s.resolver} valid=30s ipv6=off;
  split_clients "\${request_id}" $canary_agent_mirror {
    ${splitPercent(s.mirrorPercent)} 1;
    * "";
  }
${upstream(s)}
  server {
    listen ${s.listenAddress}:${s.listenPort} reuseport;
    # The host's access log goes on while this nginx serves; mirror subrequests are not logged (log_subrequest).
    access_log ${accessLogPath(s.accessLog)} combined;
${drainable(instance, `      mirror /_canary_agent_mirror;\n      mirror_request_body on;\n${stableLocation(s)}`)}
    location = /_canary_agent_mirror {
      internal;
      if ($canary_agent_mirror = "") { return 204; }
      # A variable makes nginx re-resolve the ELB name through the resolver instead of once at start.
      set $canary_agent_elb ${s.mirrorHost};
      proxy_pass http://$canary_agent_elb:${s.mirrorPort}$request_uri;
${forwardedHeaderLines}
      proxy_set_header X-Canary-Agent-Mirror 1;
      # nginx holds the client's next keep-alive request until its mirror subrequests finish, so a slow
      # canary must not be waited on for long.
      proxy_connect_timeout 1s;
      proxy_read_timeout 2s;
      proxy_send_timeout 2s;
    }
  }
  server {
    listen 127.0.0.1:${s.adminPort};
    location = /ready { return 200 "ready\\n"; }
  }
}
`;
}
