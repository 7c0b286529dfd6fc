import type { ProxySettings } from './proxy-settings';

/** Files of one nginx instance; the mirroring instance runs beside the host's own, so it needs its own. */
export interface NginxInstance {
  readonly pidFile: string;
  /** Directory for client bodies and proxy buffers, writable by nginx's workers. */
  readonly tempDir: string;
  readonly errorLog: string;
  /** `auto` on hosts; tests use 1 to stay light on a shared machine. */
  readonly workerProcesses: string;
}

export type StableSettings = Pick<
  ProxySettings,
  | 'service'
  | 'listenAddress'
  | 'listenPort'
  | 'upstreamAddress'
  | 'servicePort'
  | 'connectTimeoutSeconds'
  | 'readTimeoutSeconds'
  | 'sendTimeoutSeconds'
>;

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

/** The headers the service sees behind nginx; both proxies must send the same. */
export const forwardedHeaderLines = `      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;`;

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

/**
 * The host's own nginx in the shape the hand-off needs: `reuseport` on the live listener, so a second proxy
 * can bind the same port before this one lets go. Tests and the sandbox run it; on hosts it is the reference
 * for the `listen ... reuseport` change (start-mirror checks for it).
 */
export function renderStableNginx(s: StableSettings, instance: NginxInstance): string {
  return `# Rendered by canary-agent (hosts/nginx-config.ts): ${s.service}, nginx in front of the service.
${preamble(instance)}http {
  access_log off;
${tempPaths(instance)}
${upstream(s)}
  server {
    listen ${s.listenAddress}:${s.listenPort} reuseport;
    location / {
      proxy_pass http://${s.service}_stable;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
${forwardedHeaderLines}
${timeouts(s, '      ')}
    }
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
  resolver ${s.resolver} valid=30s ipv6=off;
  split_clients "\${request_id}" $canary_agent_mirror {
    ${splitPercent(s.mirrorPercent)} 1;
    * "";
  }
${upstream(s)}
  server {
    listen ${s.listenAddress}:${s.listenPort} reuseport;
    location / {
      mirror /_canary_agent_mirror;
      mirror_request_body on;
      proxy_pass http://${s.service}_stable;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
${forwardedHeaderLines}
${timeouts(s, '      ')}
    }
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
