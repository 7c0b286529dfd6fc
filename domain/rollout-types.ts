import type { Instant } from './types';

/*
 * The shapes of a drained rollout (see rollout.ts): what a step asks for, what a run remembers, and what the load
 * balancer's side reports back.
 */

/** Where a fleet takes traffic, and how long its hosts may take to leave and to come back. */
export interface TrafficDrain {
  /** The target groups the fleet's hosts serve behind: a batch leaves every one of them before it is touched. */
  readonly targetGroupArns: readonly string[];
  /** Hosts taken out at once: a count such as "2" or a share such as "25%" (the promotion's batch size). */
  readonly batchSize: string;
  /** How long a batch may take to stop draining: at least the groups' deregistration delay. */
  readonly drainTimeoutSeconds: number;
  /** How long a swapped batch may take to pass the groups' health checks. */
  readonly healthyTimeoutSeconds: number;
}

/**
 * `surveying`: reading who is registered; `draining`: the batch is deregistered and its connections finish;
 * `swapping`: Run Command on the batch; `admitting`: the batch is registered again and must turn healthy.
 */
export type RolloutPhase = 'surveying' | 'draining' | 'swapping' | 'admitting';

export interface Rollout {
  /** The hosts in batches, fixed once the target groups were read (empty while surveying). */
  readonly batches: readonly (readonly string[])[];
  /** Index of the batch in progress. */
  readonly batch: number;
  readonly phase: RolloutPhase;
  /** Checks made in this phase so far: each is its own effect and names its own timer. */
  readonly attempt: number;
  /** Set while waiting for the next check: a timer that claims to be due before this changes nothing. */
  readonly checkAt?: Instant;
}

/** What is asked of the target groups: read who is registered, take hosts out, or put them back in. */
export type GateAction = 'survey' | 'drain' | 'admit';

/** One host that has not settled yet, as the load balancer describes it (outside text). */
export interface UnsettledTarget {
  readonly instanceId: string;
  /** ELBv2's target state: `draining`, `initial`, `unhealthy`, `unused`… */
  readonly state: string;
  readonly reason?: string;
}

/** What the target groups said after a gate action. */
export interface GateReport {
  /** `survey`: every instance registered in any of the groups; otherwise the instances the action was for. */
  readonly instanceIds: readonly string[];
  /** True when the action is complete in every group: drained (gone or `unused`), or `healthy`. */
  readonly settled: boolean;
  readonly unsettled: readonly UnsettledTarget[];
  /** When to look again if not settled: the deregistration delay, or the health checks' interval. */
  readonly checkAgainInSeconds: number;
}
