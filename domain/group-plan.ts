import type { AnalysedMetric } from './analysis-queries';
import { type ReleaseAnalysis, releaseAnalysisOf } from './canary-analysis';
import { configuredCanaryAlarms } from './canary-stack';
import type { ReleaseGroup } from './group';
import { canaryAlarms, formatPercent, type PlanInput } from './plan';
import { hostOperations } from './plan-operations';
import type { ServiceConfig } from './service-config';
import type { Colour, HostOperationName, HostOperationStep, Step, Strategy, UndoStep } from './types';

/** One member's part of a group's plan: its configuration and the versions it moves between. */
export interface MemberInput {
  readonly config: ServiceConfig;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** For a blue/green member, the colour its listener forwards to: its stable fleet, which a group releases in steps. */
  readonly liveColour?: Colour;
}

export interface GroupPlanInput {
  readonly releaseId: string;
  /** In call order: the first is the entry. */
  readonly members: readonly MemberInput[];
  readonly promotionOrder: readonly string[];
  readonly keepRouting: boolean;
  readonly strategy: Extract<Strategy, { kind: 'steps' }>;
  readonly approvalTimeoutSeconds: number;
  readonly approvalRequired: boolean;
}

type MemberOp = (
  state: HostOperationStep['state'],
  operation: HostOperationName,
  onFailure?: HostOperationStep['onFailure'],
  overrides?: Readonly<Record<string, string>>,
) => HostOperationStep;

/** A member's host operations, each marked with the member so that its exposure is the member's own. */
function memberOps(input: GroupPlanInput, member: MemberInput): MemberOp {
  const planInput: PlanInput = {
    releaseId: input.releaseId,
    config: member.config,
    strategy: input.strategy,
    fromVersion: member.fromVersion,
    toVersion: member.toVersion,
    windowSeconds: input.strategy.bakeSeconds,
    ...(member.liveColour ? { liveColour: member.liveColour } : {}),
  };
  const op = hostOperations(planInput);
  return (state, operation, onFailure = 'rollback', overrides = {}) => ({
    ...op(state, operation, onFailure, overrides),
    member: member.config.service,
  });
}

/**
 * The group's plan, in the order that keeps every tagged request on new versions end to end:
 * 1. every member's canary, downstream first;
 * 2. the downstream members' routing proxies (tagged requests only, no share of their own), then the entry's, which
 *    colours its share (and its colouring rules' requests) and tags them;
 * 3. a window per step of the entry's share, judged by every member's alarms;
 * 4. one approval, then each member promoted in `promotionOrder` (drained batches), baked on its own, and settled:
 *    from then on a failure leaves it on the new version;
 * 5. the routing proxies back to nginx (downstream first) and the canaries removed, unless `keepRouting`.
 *
 * @example
 * groupPlan({ members: [front, payments], strategy: { kind: 'steps', steps: [10, 100], … }, … }).map((s) => s.state)
 * // ['deployingCanary', 'deployingCanary', 'shiftingTraffic', 'shiftingTraffic', 'verifying', 'shiftingTraffic',
 * //  'verifying', 'awaitingApproval', 'promoting', 'promoting', 'restoringProxy', 'restoringProxy', 'cleaningUp', …]
 */
export function groupPlan(input: GroupPlanInput): readonly Step[] {
  const { strategy } = input;
  const [entry, ...downstream] = input.members;
  if (entry === undefined) return [];
  const ops = new Map(input.members.map((m) => [m.config.service, memberOps(input, m)] as const));
  const opOf = (member: MemberInput) => ops.get(member.config.service) as MemberOp;
  const callees = [...downstream].reverse();
  const entryOp = opOf(entry);
  const shift = (percent: number) =>
    entryOp('shiftingTraffic', 'shiftTraffic', 'rollback', { CanaryPercent: formatPercent(percent) });
  const validate: Step = {
    kind: 'validate',
    state: 'verifying',
    windowSeconds: strategy.bakeSeconds,
    alarms: groupAlarms(input.members, strategy),
  };
  const [first, ...later] = strategy.steps;
  const windows: Step[] = later.flatMap((percent) => [shift(percent), validate]);
  const approval: Step = {
    kind: 'approval',
    state: 'awaitingApproval',
    timeoutSeconds: input.approvalTimeoutSeconds,
  };
  return [
    ...[...callees, entry].map((m) => opOf(m)('deployingCanary', 'deployCanary')),
    // A downstream member routes by the tag alone: no share, no colouring of its own.
    ...callees.map((m) => opOf(m)('shiftingTraffic', 'shiftTraffic', 'rollback', DOWNSTREAM_ROUTING)),
    shift(first ?? 0),
    validate,
    ...windows,
    ...(input.approvalRequired ? [approval] : []),
    ...promotions(input, opOf),
    ...(input.keepRouting ? [] : cleanUp(input, opOf)),
  ];
}

/** A downstream member's routing proxy: tagged requests (and testers) to its canary, nobody else. */
const DOWNSTREAM_ROUTING = { CanaryPercent: '0', ColourRules: '' } as const;

function promotions(input: GroupPlanInput, opOf: (m: MemberInput) => MemberOp): Step[] {
  const stableAlarms = [...new Set(input.members.flatMap(memberStableAlarms))];
  return orderedMembers(input).flatMap((member): Step[] => {
    const service = member.config.service;
    const promote = opOf(member)('promoting', 'promote');
    const { bakeSeconds } = member.config.promotion;
    // A member's bake watches every member's stable fleet: its new version may break a caller, not itself.
    if (bakeSeconds === 0) return [{ ...promote, settles: service }];
    return [
      promote,
      {
        kind: 'validate',
        state: 'baking',
        windowSeconds: bakeSeconds,
        alarms: stableAlarms,
        settles: service,
      },
    ];
  });
}

function cleanUp(input: GroupPlanInput, opOf: (m: MemberInput) => MemberOp): Step[] {
  const downstreamFirst = [...input.members].reverse();
  return [
    ...downstreamFirst.map((m) => opOf(m)('restoringProxy', 'stopMirror')),
    ...downstreamFirst.map((m) => opOf(m)('cleaningUp', 'removeCanary', 'warn')),
  ];
}

function orderedMembers(input: GroupPlanInput): readonly MemberInput[] {
  return input.promotionOrder.flatMap((service) => input.members.filter((m) => m.config.service === service));
}

/** Every member's canary alarms (with its failover alarm) and stable alarms: one verdict for the chain. */
export function groupAlarms(members: readonly MemberInput[], strategy: Strategy): readonly string[] {
  return [
    ...new Set(members.flatMap((m) => [...canaryAlarms(m.config, strategy), ...memberStableAlarms(m)])),
  ];
}

/** A member's stable fleet's alarms: its own, and its live colour's for a blue/green member. */
function memberStableAlarms(member: MemberInput): readonly string[] {
  const { config, liveColour } = member;
  const colour = liveColour && config.blueGreen ? config.blueGreen[liveColour].alarms : [];
  return [...config.alarms.stable, ...colour];
}

/** The canaries' own alarms, for the card's "judged by". */
export function groupCanaryAlarms(members: readonly MemberInput[]): readonly string[] {
  return [...new Set(members.flatMap((m) => configuredCanaryAlarms(m.config)))];
}

/**
 * What a group's rollback may run, in safe order: the routing proxies back to nginx, downstream first, so that no
 * tagged request meets a removed canary; then each promotion not yet settled put back, latest first; then the
 * canaries removed. Each runs only for a member that may have done what it undoes.
 */
export function groupUndo(input: GroupPlanInput): readonly UndoStep[] {
  const ops = (m: MemberInput) => memberOps(input, m);
  const downstreamFirst = [...input.members].reverse();
  const latestFirst = [...orderedMembers(input)].reverse();
  return [
    ...downstreamFirst.map((m) => ops(m)('rollingBack', 'stopMirror')),
    ...latestFirst.map((m) => ops(m)('rollingBack', 'restoreStable')),
    ...downstreamFirst.map((m) => ops(m)('rollingBack', 'removeCanary')),
  ];
}

/** The group's starting shape on the release, before any member moved. */
export function initialGroup(
  input: Pick<GroupPlanInput, 'members' | 'promotionOrder' | 'keepRouting'>,
  name: string | undefined,
): ReleaseGroup {
  return {
    ...(name ? { name } : {}),
    members: input.members.map((m) => ({
      service: m.config.service,
      fromVersion: m.fromVersion,
      toVersion: m.toVersion,
    })),
    promotionOrder: input.promotionOrder,
    keepRouting: input.keepRouting,
  };
}

/**
 * One analysis for the chain: every member's metrics that configures one, each named after its member, judged with
 * the first such member's settings (the entry's, when it has one). The sample is the least-served canary's, held to
 * the strictest member's minimum: no member is judged on fewer requests than its own analysis asks for.
 */
export function groupAnalysisOf(
  members: readonly MemberInput[],
  strategy: Strategy,
): ReleaseAnalysis | undefined {
  const analysed = members.flatMap((m) => {
    const analysis = releaseAnalysisOf(m.config, strategy, m.liveColour);
    return analysis ? [{ service: m.config.service, analysis }] : [];
  });
  const [first] = analysed;
  if (first === undefined) return undefined;
  const metrics = analysed.flatMap(({ service, analysis }) =>
    analysis.metrics.map(
      (metric): AnalysedMetric =>
        metric.role === 'sampleSize'
          ? { ...metric, name: `${service} ${metric.name}` }
          : { ...metric, definition: { ...metric.definition, name: `${service} ${metric.definition.name}` } },
    ),
  );
  const minimumRequests = Math.max(...analysed.map(({ analysis }) => analysis.settings.minimumRequests));
  return { ...first.analysis, metrics, settings: { ...first.analysis.settings, minimumRequests } };
}
