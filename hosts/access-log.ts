/*
 * The host's access log, kept while an agent proxy serves: every proxy the agent puts on the live port writes one
 * line per request where the host's nginx did, in nginx's `combined` format, so an operator's tail, log shipper and
 * dashboards see no gap during a release. The routing proxies add where they sent the request.
 */

/** Debian's and Amazon Linux's nginx log here; a host that logs elsewhere sets CA_ACCESS_LOG. */
export const DEFAULT_ACCESS_LOG = '/var/log/nginx/access.log';

/**
 * What the path may be. It goes unquoted into nginx's configuration, into Envoy's JSON and through the host scripts'
 * template substitution, so only characters that mean nothing to any of them pass. hosts/scripts/lib-proxy.sh
 * checks CA_ACCESS_LOG against the same pattern (test/hosts/access-log.test.ts holds them equal).
 */
export const ACCESS_LOG_PATTERN = /^\/[A-Za-z0-9._/-]+$/;

/** The path, once it is known to be safe in a configuration; a RangeError otherwise. */
export function accessLogPath(path: string): string {
  if (!ACCESS_LOG_PATTERN.test(path))
    throw new RangeError(`access log ${JSON.stringify(path)} is not an absolute path of [A-Za-z0-9._/-]`);
  return path;
}

/** nginx's predefined `combined` format, as its documentation spells it (ngx_http_log_module). */
export const NGINX_COMBINED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/**
 * The routing nginx's line: `combined`, then `canary` or `stable`, the upstream it chose. A request routed to the
 * canary that stable answered (a failover) still says `canary`, and is in the failover log too.
 */
export const NGINX_ROUTED_FORMAT = `${NGINX_COMBINED} $canary_agent_route`;

/**
 * `combined` in Envoy's command operators. nginx's `$remote_addr` is the peer (the load balancer), which is
 * Envoy's DIRECT remote address: with a trusted hop, Envoy's plain DOWNSTREAM_REMOTE_ADDRESS is the client taken
 * from X-Forwarded-For. The time is when the request started, in UTC (Envoy formats START_TIME with gmtime).
 */
export const ENVOY_COMBINED =
  '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT% - - [%START_TIME(%d/%b/%Y:%H:%M:%S %z)%] ' +
  '"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %BYTES_SENT% ' +
  '"%REQ(REFERER)%" "%REQ(USER-AGENT)%"';

/**
 * The routing Envoy's mark: the cluster of the route it chose, `canary` (the aggregate, failover included) or
 * `stable`. Envoy takes it from the route entry's cluster, which for weighted clusters is the one picked.
 */
export const ENVOY_ROUTED_FORMAT = `${ENVOY_COMBINED} %UPSTREAM_CLUSTER%`;

/** Envoy's file access logger writing `format` (one line per request) to the host's access log. */
export function envoyAccessLog(path: string, format: string = ENVOY_COMBINED) {
  return {
    name: 'envoy.access_loggers.file',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
      path: accessLogPath(path),
      // `text_format_source`: the plain `text_format` string is deprecated. Envoy adds no newline of its own.
      log_format: { text_format_source: { inline_string: `${format}\n` } },
    },
  };
}
