import { canaryStackSteps, configuredCanaryAlarms } from './canary-stack';
import { type HookConfig, withHooks } from './hooks';
import { blueGreenOf, listenerSwitch } from './listener-plan';
import { hostOperations } from './plan-operations';
import { exposureMark } from './rollback-types';
import type { ServiceConfig } from './service-config';
import { colourSwitch } from './strategy';
import type {
  Colour,
  Exposure,
  ExposureMark,
  Fleet,
  HostOperationName,
  Step,
  Strategy,
  UndoStep,
} from './types';

export interface PlanInput {
  readonly releaseId: string;
  readonly config: ServiceConfig;
  readonly strategy: Strategy;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly windowSeconds: number;
  /** For a blue/green service: the colour live when the release starts, which is its stable fleet. */
  readonly liveColour?: Colour;
}

/**
 * The ordered steps a release walks through for its strategy. The machine is strategy-agnostic:
 * it only knows how to run a host operation, wait for a stack, validate, and wait for approval.
 *
 * @example
 * planFor({ strategy: { kind: 'mirror', percent: 10 }, … }).map((s) => s.state)
 * // ['deployingCanary', 'startingMirror', 'verifying', 'awaitingApproval', 'stoppingMirror', 'promoting', 'cleaningUp']
 * planFor({ strategy: { kind: 'steps', steps: [10, 100], bakeSeconds: 600 }, … }).map((s) => s.state)
 * // ['deployingCanary', 'shiftingTraffic', 'verifying', 'shiftingTraffic', 'verifying', 'awaitingApproval',
 * //  'promoting', 'restoringProxy', 'cleaningUp']
 * planFor({ strategy: { kind: 'blueGreen', from: 'blue', to: 'green' }, … }).map((s) => s.state)
 * // ['deployingIdle', 'switchingListener', 'verifying', 'awaitingApproval']
 */
export function planFor(input: PlanInput): readonly Step[] {
  const plan = strategyPlan(input);
  if (input.strategy.kind === 'revert') return plan;
  const op = hostOperations(input);
  const colours = colourSwitch(input.strategy);
  return withHooks(plan, input.config.hooks, (hook) => ({
    ...op(
      'runningHook',
      'runHook',
      'rollback',
      { Point: hook.at, Hook: hook.name },
      hookFleet(hook, colours?.to),
    ),
    timeoutSeconds: hook.timeoutSeconds,
    ...(hook.document ? { document: hook.document } : {}),
  }));
}

/** Where a document hook runs: the stable fleet, or the new version's hosts (the idle colour, for blue/green). */
function hookFleet(hook: HookConfig, newColour: Colour | undefined): Fleet {
  if (hook.fleet === 'stable') return 'stable';
  return newColour ?? 'canary';
}

function strategyPlan(input: PlanInput): readonly Step[] {
  const { config, strategy } = input;
  const { op, canary, approval, approvals, validate, bake, cleanUp } = planParts(input);
  switch (strategy.kind) {
    case 'mirror':
      return [
        canary,
        op('startingMirror', 'startMirror'),
        validate(input.windowSeconds),
        ...approvals,
        op('stoppingMirror', 'stopMirror'),
        op('promoting', 'promote'),
        ...bake,
        ...cleanUp,
      ];
    case 'blueGreen': {
      // The idle colour gets the new version while no user is on it; the listener switch is the release, and
      // switching it back is the rollback. The old colour keeps the old version: the instant way back.
      const bg = blueGreenOf(input);
      return [
        op('deployingIdle', 'deployIdle', 'rollback', {}, strategy.to),
        listenerSwitch(input, 'forward', strategy),
        validate(input.windowSeconds, bg[strategy.to].alarms),
        ...approvals,
      ];
    }
    case 'steps': {
      // Each step raises the share of real users, then bakes with the alarms quiet. The stable fleet is promoted
      // while the routing proxy still serves, and only then gets its own nginx back: nobody sees the old version
      // again once the new one served them.
      const last = strategy.steps.length - 1;
      // Mirroring first proves the canary on copies before any user reaches it; the stable hosts then go back on
      // their own nginx, since the routing proxy takes the port over from nginx, not from the mirroring one.
      const mirrorFirst: Step[] = strategy.mirror
        ? [
            op('startingMirror', 'startMirror'),
            validate(strategy.bakeSeconds),
            op('stoppingMirror', 'stopMirror'),
          ]
        : [];
      const shifts = strategy.steps.flatMap((percent, index): Step[] => [
        op('shiftingTraffic', 'shiftTraffic', 'rollback', { CanaryPercent: formatPercent(percent) }),
        validate(strategy.bakeSeconds, canaryAlarms(config, strategy)),
        ...(config.steps.approveEachStep && index < last ? [approval] : []),
      ]);
      return [
        canary,
        ...mirrorFirst,
        ...shifts,
        ...approvals,
        op('promoting', 'promote'),
        op('restoringProxy', 'stopMirror'),
        ...bake,
        ...cleanUp,
      ];
    }
    case 'revert':
      // Back to a version that already ran: no canary, no window. The listener back to the colour that still runs
      // it, or that version promoted on the stable fleet in batches (the promotion's batch size and maxErrors).
      return strategy.colours
        ? [listenerSwitch(input, 'forward', strategy.colours)]
        : [op('promoting', 'promote')];
    default:
      return assertNever(strategy);
  }
}

/** The steps every strategy's plan is made of, for this service. */
function planParts(input: PlanInput) {
  const { config } = input;
  const op = hostOperations(input);
  const stack = canaryStackSteps(input);
  const provisionedBy = config.canaryStack.provisionedBy;
  const canary: Step =
    provisionedBy === 'agent'
      ? op('deployingCanary', 'deployCanary')
      : provisionedBy === 'cloudformation'
        ? stack.create
        : {
            kind: 'awaitCanaryStack',
            state: 'awaitingCanaryStack',
            timeoutSeconds: config.canaryStack.readyTimeoutSeconds,
          };
  const approval: Step = {
    kind: 'approval',
    state: 'awaitingApproval',
    timeoutSeconds: config.approvals.timeoutSeconds,
  };
  const validate = (windowSeconds: number, judgedBy = configuredCanaryAlarms(config)): Step => ({
    kind: 'validate',
    state: 'verifying',
    windowSeconds,
    alarms: [...judgedBy, ...config.alarms.stable],
  });
  // After the last batch, the promoted stable fleet is watched once more before the release succeeds.
  const bake: Step[] =
    config.promotion.bakeSeconds > 0
      ? [
          {
            kind: 'validate',
            state: 'baking',
            windowSeconds: config.promotion.bakeSeconds,
            alarms: stableAlarms(input),
          },
        ]
      : [];
  return {
    op,
    canary,
    approval,
    approvals: config.approvals.required ? [approval] : [],
    validate,
    bake,
    cleanUp: cleanUpOf(input, op, stack.cleanUp),
  };
}

/** What is removed after promotion: the canary on the standing fleet, or the release's own stack. */
function cleanUpOf(input: PlanInput, op: ReturnType<typeof hostOperations>, deleteStack: Step): Step[] {
  switch (input.config.canaryStack.provisionedBy) {
    case 'agent':
      return [op('cleaningUp', 'removeCanary', 'warn')];
    case 'cloudformation':
      return [deleteStack];
    case 'external':
      return [];
  }
}

/** The stable fleet's alarms: the service's, and the live colour's for a blue/green service. */
function stableAlarms(input: PlanInput): readonly string[] {
  const { config, liveColour } = input;
  const colour = liveColour && config.blueGreen ? config.blueGreen[liveColour].alarms : [];
  return [...new Set([...config.alarms.stable, ...colour])];
}

/**
 * The alarms that judge a canary: its own, plus the failover alarm while the routing proxy sends it real users
 * (a mirrored request is never failed over: its answer is thrown away).
 */
export function canaryAlarms(config: ServiceConfig, strategy: Strategy): readonly string[] {
  const { failover } = config.alarms;
  const canary = configuredCanaryAlarms(config);
  return strategy.kind === 'steps' && failover !== undefined ? [...canary, failover] : canary;
}

/** What dispatching each operation may have changed on hosts, so that a rollback knows what to undo. */
export const exposureOf: Readonly<Record<HostOperationName, { adds?: Exposure; clears?: Exposure }>> = {
  deployCanary: { adds: 'canaryDeployed' },
  removeCanary: { clears: 'canaryDeployed' },
  startMirror: { adds: 'stableProxied' },
  shiftTraffic: { adds: 'stableProxied' },
  stopMirror: { clears: 'stableProxied' },
  promote: { adds: 'stablePromoted' },
  restoreStable: { clears: 'stablePromoted' },
  // An idle colour serves nobody: what it runs after a rollback is reported, not undone.
  deployIdle: {},
  // A hook checks; what it changes, if anything, is its team's to undo.
  runHook: {},
};

/** The exposure mark a step may add when dispatched, and the one it removes when it succeeds. */
export function exposureOfStep(step: UndoStep): { adds?: ExposureMark; clears?: ExposureMark } {
  if (step.kind === 'hostOperation') {
    const { adds, clears } = exposureOf[step.operation];
    return {
      ...(adds ? { adds: exposureMark(adds, step.member) } : {}),
      ...(clears ? { clears: exposureMark(clears, step.member) } : {}),
    };
  }
  if (step.kind === 'canaryStack') {
    return step.action === 'create' ? { adds: 'canaryStackCreated' } : { clears: 'canaryStackCreated' };
  }
  return step.direction === 'forward' ? { adds: 'listenerSwitched' } : { clears: 'listenerSwitched' };
}

/**
 * Every step that can undo an exposure, in the order that is safe: first stop mirroring (Envoy out of
 * the live path), then put the previous version back on the stable fleet, then remove the canary.
 * A rollback runs the ones whose exposure is present (see `rollbackSteps`).
 */
export function undoSteps(input: PlanInput): readonly UndoStep[] {
  const colours = colourSwitch(input.strategy);
  if (colours) return [listenerSwitch(input, 'back', colours)];
  const op = hostOperations(input);
  if (input.strategy.kind === 'revert') return [op('rollingBack', 'restoreStable')];
  const steps = [op('rollingBack', 'stopMirror'), op('rollingBack', 'restoreStable')];
  switch (input.config.canaryStack.provisionedBy) {
    case 'agent':
      return [...steps, op('rollingBack', 'removeCanary')];
    case 'cloudformation':
      return [...steps, canaryStackSteps(input).undo];
    case 'external':
      return steps;
  }
}

/** The undo steps a rollback needs for what may have changed on hosts. */
export function rollbackSteps(
  undo: readonly UndoStep[],
  exposure: readonly ExposureMark[],
): readonly UndoStep[] {
  return undo.filter((step) => {
    const cleared = exposureOfStep(step).clears;
    return cleared !== undefined && exposure.includes(cleared);
  });
}

/** `10` -> "10", `2.5` -> "2.5": at most two decimals, no exponent, so it fits the documents' pattern. */
export function formatPercent(percent: number): string {
  return String(Math.round(percent * 100) / 100);
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
