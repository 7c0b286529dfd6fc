import fc from 'fast-check';
import type { AlarmState, CommandOutcome } from '../../domain/types';
import { APPROVER, BLUE_GREEN, REQUESTER, STRANGER } from '../../local/fixture-service-config';

/*
 * A model of the outside world: people click, SSM reports (late, twice, out of order), alarms flap, timers fire,
 * the sweeper runs, and some deliveries race each other. After every step, every invariant is checked.
 */

export const people = [APPROVER, REQUESTER, STRANGER] as const;
export const hosts = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'] as const;
export const alarms = [
  'orders-api-canary-5xx',
  'orders-api-stable-health',
  'someone-elses-alarm',
  'orders-api-green-5xx',
  'orders-api-blue-5xx',
] as const;
/** Where a person may point the blue/green listener by hand: a colour, or a maintenance page. */
export const listenerTargets = [
  BLUE_GREEN.blue.targetGroupArn,
  BLUE_GREEN.green.targetGroupArn,
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/maintenance/0000000000000001',
] as const;
const outcomes: CommandOutcome[] = ['success', 'success', 'success', 'failed', 'timedOut', 'cancelled'];

export type Action =
  | { kind: 'start' }
  | { kind: 'host'; command: number; host: number; status: CommandOutcome }
  | { kind: 'command'; command: number; status: CommandOutcome }
  | { kind: 'alarm'; alarm: number; state: AlarmState; skew: number }
  /** The window's timer: on time, or early (Scheduler never fires early; a forged event may). */
  | { kind: 'timer'; early: boolean }
  | {
      kind: 'person';
      event: 'approved' | 'rejected' | 'abortRequested' | 'rollbackRequested' | 'rollbackRetried';
      who: number;
    }
  /** The pipeline reports its stack, or CloudFormation settles the release's own (created or deleted, or failed). */
  | { kind: 'stack'; ready: boolean }
  | { kind: 'throttleListener'; calls: number }
  | { kind: 'pointListener'; target: number }
  | { kind: 'sweep'; seconds: number }
  /** A person asks for another start: queued behind the running release (in place of any queued one), or started. */
  | { kind: 'queue'; who: number }
  /** A person cancels the queued start: its requester and the approvers may. */
  | { kind: 'cancel'; who: number }
  /** A freeze placed or lifted: a queued start whose turn comes while frozen is dropped. */
  | { kind: 'freeze'; on: boolean }
  | { kind: 'redeliver'; index: number }
  | { kind: 'advance' }
  | { kind: 'together'; first: Action; second: Action };

const single: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'start' } as const) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('host' as const),
      command: fc.nat(12),
      host: fc.nat(2),
      status: fc.constantFrom(...outcomes),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      command: fc.nat(12),
      status: fc.constantFrom(...outcomes),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('alarm' as const),
      alarm: fc.nat(alarms.length - 1),
      state: fc.constantFrom<AlarmState>('OK', 'ALARM', 'INSUFFICIENT_DATA'),
      skew: fc.integer({ min: -120, max: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('timer' as const), early: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('person' as const),
      event: fc.constantFrom(
        'approved',
        'rejected',
        'abortRequested',
        'rollbackRequested',
        'rollbackRetried',
      ),
      who: fc.nat(2),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stack' as const), ready: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('throttleListener' as const),
      calls: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('pointListener' as const),
      target: fc.nat(listenerTargets.length - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('sweep' as const), seconds: fc.integer({ min: 1, max: 2000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), index: fc.nat(40) }) },
  { weight: 16, arbitrary: fc.constant({ kind: 'advance' } as const) },
);
/** What people do to the start queue: ask for another start, cancel the queued one, freeze or thaw the service. */
const queueing: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('queue' as const), who: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), who: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('freeze' as const), on: fc.boolean() }) },
);
export const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: single },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('together' as const), first: single, second: single }),
  },
  // People queue while the world goes on: each comes with a step of the world, so deep states stay as reachable.
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('together' as const), first: queueing, second: single }),
  },
);

export const configs = fc.record({
  required: fc.boolean(),
  fourEyes: fc.boolean(),
  provisionedBy: fc.constantFrom('agent' as const, 'external' as const, 'cloudformation' as const),
  steps: fc.option(
    fc
      .uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 4 })
      .map((a) => a.sort((x, y) => x - y)),
    { nil: undefined },
  ),
  approveEachStep: fc.boolean(),
  mirrorFirst: fc.boolean(),
  hooks: fc.constantFrom('none' as const, 'none' as const, 'pass' as const, 'fail' as const),
  blueGreen: fc.constantFrom(false, false, true),
  drained: fc.boolean(),
  bake: fc.boolean(),
});

export interface ModelConfig {
  readonly required: boolean;
  readonly fourEyes: boolean;
  /** `cloudformation`: the release creates (and deletes) its own canary stack; `stack` actions settle it. */
  readonly provisionedBy: 'agent' | 'external' | 'cloudformation';
  /** Weighted steps when set, mirroring otherwise. */
  readonly steps: number[] | undefined;
  readonly approveEachStep: boolean;
  /** With steps: a mirrored window first (`strategy=mirror,steps`). */
  readonly mirrorFirst: boolean;
  /** A Lambda hook at every point, all passing, or the one after each window failing. */
  readonly hooks: 'none' | 'pass' | 'fail';
  /** A blue/green service released blue/green (steps and mirroring are left to the others). */
  readonly blueGreen: boolean;
  /** The stable hosts sit in a target group: promotions and restores drain them batch by batch. */
  readonly drained: boolean;
  /** A bake after promotion. */
  readonly bake: boolean;
}

/** The stable fleet's target group, when the model's service names one. */
export const STABLE_TARGET_GROUP =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0000000000000b1e';
