import { seconds, stableCircuitBreaker } from './envoy-config';
import { canaryEjection, type RoutingSettings } from './routing-settings';

/*
 * How the routing Envoy fails the canary over to stable the way nginx's `proxy_next_upstream` and `max_fails` do:
 * which requests are retried on stable, how many at once, and when the canary ELB is left out for a while.
 */

/**
 * One retry, on the aggregate's next priority (stable), only for requests tagged for the canary: the router
 * applies the weighted cluster's headers before it builds the retry state (router.cc, decodeHeaders). A
 * non-idempotent request is retried only if it failed before being sent (`reset-before-request`, Envoy 1.31+).
 * Each attempt gets nginx's `proxy_read_timeout` between two reads (`per_try_idle_timeout`, which keeps running
 * while the response streams): a canary that stalls before answering is retried on stable (`reset` covers a
 * read timeout), as `proxy_next_upstream timeout` does. `per_try_timeout` would bound the whole attempt, body
 * included, which nginx never does.
 * previous_priorities works with aggregate clusters since Envoy 1.15 (envoyproxy/envoy#11102, fixing #11021;
 * aggregate_cluster.rst had said PriorityLoad retry plugins "won't work for aggregate cluster").
 */
export function failoverRetryPolicy(
  settings: Pick<RoutingSettings, 'rules' | 'readTimeoutSeconds'>,
  idempotent: boolean,
) {
  const when = idempotent
    ? { retry_on: `${BEFORE_SENT},reset,retriable-status-codes`, retriable_status_codes: [502, 503, 504] }
    : { retry_on: `${BEFORE_SENT},reset-before-request` };
  const tag = { name: settings.rules.tagHeader, string_match: { exact: settings.rules.tagValue } };
  return {
    ...when,
    per_try_idle_timeout: seconds(settings.readTimeoutSeconds),
    num_retries: 1,
    retriable_request_headers: [tag],
    retry_priority: { name: 'envoy.retry_priorities.previous_priorities', typed_config: PREVIOUS_PRIORITIES },
  };
}

const BEFORE_SENT = 'connect-failure,refused-stream';
const PREVIOUS_PRIORITIES = {
  '@type':
    'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig',
  update_frequency: 1,
};
/**
 * Live traffic: the local service's limits, plus a retry for every request admitted, since Envoy's default
 * max_retries (3 at once) would fail every failover past the third. The aggregate's breaker and its clusters'
 * apply each (envoyproxy/envoy#17412, tests of #38251); a retry_budget would not do, being a share of active
 * requests, which the aggregate does not count (#38251).
 */
const failoverLimits = { ...stableCircuitBreaker, max_retries: stableCircuitBreaker.max_requests };
export const failoverBreakers = {
  circuit_breakers: { thresholds: [{ priority: 'DEFAULT', ...failoverLimits }] },
};

/** Ejects a failing canary ELB so the aggregate sends its requests to stable meanwhile (`canaryEjection`). */
export function canaryOutlierDetection() {
  return {
    // What nginx's max_fails counts (proxy_next_upstream: error, timeout, 502, 503, 504), never a 500: that is
    // the canary's answer, which users must see and its alarm must count, not a reason to hide it behind stable.
    split_external_local_origin_errors: true,
    consecutive_gateway_failure: canaryEjection.consecutiveFailures,
    enforcing_consecutive_gateway_failure: 100,
    consecutive_local_origin_failure: canaryEjection.consecutiveFailures,
    enforcing_consecutive_local_origin_failure: 100,
    enforcing_consecutive_5xx: 0,
    // The brief's "more than 10% over at least 10 requests", of failures to connect or answer: Envoy's
    // percentage of answers would count 500s.
    failure_percentage_threshold: canaryEjection.failurePercent,
    failure_percentage_request_volume: canaryEjection.minimumRequests,
    failure_percentage_minimum_hosts: 1,
    enforcing_failure_percentage: 0,
    enforcing_failure_percentage_local_origin: 100,
    enforcing_success_rate: 0,
    enforcing_local_origin_success_rate: 0,
    interval: seconds(canaryEjection.intervalSeconds),
    base_ejection_time: seconds(canaryEjection.ejectionSeconds),
    max_ejection_percent: 100,
  };
}
