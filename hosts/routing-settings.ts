import type { ColourRule } from '../domain/colouring';
import type { ServiceConfig } from '../domain/service-config';
import type { StableSettings } from './nginx-config';

/**
 * Who goes where: the service configuration's `routing` (sticky cookie, testers, VIPs, the full-link tag, the
 * colouring rules, none when left out).
 */
export type RoutingRules = Omit<ServiceConfig['routing'], 'colouring'> & {
  readonly colouring?: readonly ColourRule[];
};

/** What a routing proxy on a stable host needs: the host's nginx settings, the canary ELB, the share, the rules. */
export interface RoutingSettings extends StableSettings {
  /** The canary stack's ELB. */
  readonly canaryHost: string;
  readonly canaryPort: number;
  /** 0 to 100, at most two decimals: the share of users (by sticky key) sent to the canary. */
  readonly canaryPercent: number;
  /** Loopback port of the proxy's admin / readiness endpoint (`GET /ready`). */
  readonly adminPort: number;
  /** The host's access log; each line ends with where the request was routed (hosts/access-log.ts). */
  readonly accessLog: string;
  readonly rules: RoutingRules;
  /** The host's Availability Zone (IMDS), which zone colouring rules compare with; needed only by those. */
  readonly availabilityZone?: string;
}

/**
 * A VIP rule the service does not configure still renders (the host scripts fill fixed templates), for a
 * cookie and a header no client is meant to send: a request that carried them anyway would only be pinned
 * to stable, the safe side.
 */
export const UNSET_VIP = 'canary-agent-unset';

/** The VIP rules with the unset ones filled in, as the templates render them. */
export function vipRules(rules: RoutingRules) {
  return {
    cookie: rules.vipCookie ?? UNSET_VIP,
    cookieValue: rules.vipCookieValue ?? UNSET_VIP,
    header: rules.vipHeader ?? UNSET_VIP,
    headerValue: rules.vipHeaderValue ?? UNSET_VIP,
  };
}

/** `X-Canary` -> `x_canary`: the header as an nginx variable name (`$http_x_canary`). */
export function headerVariable(header: string): string {
  return header.toLowerCase().replace(/-/g, '_');
}

/**
 * The canary's passive health check, from the brief's circuit breaker ("error rate > 10% over at least 10
 * requests, 60 s ejection"), where a failure is what nginx's proxy_next_upstream retries (refused, reset, timed
 * out, 502, 503, 504), never a 500: Envoy ejects the canary ELB for 60 s after 5 consecutive failures or more
 * than 10% of connections failing in an interval with at least 10 requests; nginx after 5 failed attempts within
 * 60 s. Either way the canary's requests go to stable meanwhile.
 */
export const canaryEjection = {
  consecutiveFailures: 5,
  failurePercent: 10,
  minimumRequests: 10,
  intervalSeconds: 10,
  ejectionSeconds: 60,
  nginxMaxFails: 5,
} as const;

/** Header the Envoy routing proxy's Lua filter sets to the user's bucket (0 to 999,999) before routing. */
export const BUCKET_HEADER = 'x-canary-agent-bucket';

/** Share as parts per million (Envoy's weights; nginx keeps the percentage). */
export function partsPerMillion(percent: number): number {
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`canary percent ${percent} is not in [0, 100]`);
  return Math.round(percent * 10_000);
}
