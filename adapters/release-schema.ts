import * as z from 'zod';
import { type HistoryEntry, HOST_OPERATIONS, RELEASE_STATES, type Release } from '../domain/types';
import {
  analysisFailedReason,
  analysisProgressSchema,
  evidenceSchema,
  releaseAnalysisSchema,
} from './analysis-schema';
import { canaryStackRecord, canaryStackRun } from './canary-stack-schema';
import { exposureMarkSchema, releaseGroupSchema } from './group-schema';
import { hookFailedReason, hookRun } from './hook-schema';
import { upgradeLegacyRun } from './legacy-run';
import { actorSchema, storedNote, strategySchema } from './notice-schema';
import { rolloutSchema } from './rollout-schema';
import {
  approvalStep,
  awaitCanaryStackStep,
  hostOperationStep,
  listenerSwitchStep,
  step,
  undoStep,
  validateStep,
} from './step-schema';

/*
 * Schemas for what the agent stores. Stored items are parsed back through these, never cast, so an item
 * written by an older or broken version fails loudly at the edge instead of deep inside the engine.
 */

const instant = z.string();
const releaseState = z.enum(RELEASE_STATES);
const operation = z.enum(HOST_OPERATIONS);
const outcome = z.enum(['success', 'failed', 'timedOut', 'cancelled']);
const alarmState = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
export const actor = actorSchema;

const runCommon = {
  stepId: z.string(),
  origin: z.enum(['plan', 'rollback']),
  startedAt: instant,
  deadlineAt: instant,
};
const run = z.discriminatedUnion('kind', [
  z.object({
    ...runCommon,
    kind: z.literal('hostOperation'),
    step: hostOperationStep,
    commandId: z.string().optional(),
    hosts: z.record(z.string(), z.enum(['pending', 'success', 'failed', 'timedOut', 'cancelled'])),
    cancelRequested: z.boolean().optional(),
    rollout: rolloutSchema.optional(),
  }),
  z.object({
    ...runCommon,
    kind: z.literal('switchListener'),
    step: listenerSwitchStep,
    cancelRequested: z.boolean().optional(),
  }),
  z.object({ ...runCommon, ...canaryStackRun }),
  z.object({ ...runCommon, ...hookRun }),
  z.object({
    ...runCommon,
    kind: z.literal('validate'),
    step: validateStep,
    timerId: z.string(),
    windowEndsAt: instant,
    checkId: z.string().optional(),
    extended: z.boolean().optional(),
    analysis: analysisProgressSchema.optional(),
  }),
  z.object({
    ...runCommon,
    kind: z.literal('inconclusive'),
    step: validateStep,
    noData: z.array(z.string()),
    marginal: z.object({ score: z.number(), reason: z.string() }).optional(),
  }),
  z.object({ ...runCommon, kind: z.literal('awaitCanaryStack'), step: awaitCanaryStackStep }),
  z.object({ ...runCommon, kind: z.literal('approval'), step: approvalStep }),
]);

const rollbackReason = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('alarm'), alarmName: z.string(), reason: z.string() }),
  z.object({
    kind: z.literal('hostOperationFailed'),
    operation,
    hostId: z.string().optional(),
    status: outcome,
    output: z.string().optional(),
  }),
  z.object({ kind: z.literal('aborted'), by: z.string() }),
  z.object({ kind: z.literal('rolledBackByPerson'), by: z.string() }),
  z.object({ kind: z.literal('rejected'), by: z.string(), comment: z.string().optional() }),
  z.object({ kind: z.literal('canaryStackFailed'), reason: z.string() }),
  z.object({ kind: z.literal('listenerSwitchFailed'), reason: z.string() }),
  hookFailedReason,
  z.object({ kind: z.literal('noData'), alarms: z.array(z.string()) }),
  analysisFailedReason,
  z.object({ kind: z.literal('deadlineExceeded'), state: releaseState }),
]);

const currentReleaseSchema = z.object({
  id: z.string(),
  service: z.string(),
  fromVersion: z.string(),
  toVersion: z.string(),
  strategy: strategySchema,
  requestedBy: actor,
  requestedAt: instant,
  policy: z.object({
    approvers: z.array(z.string()),
    approverGroups: z.array(z.string()),
    fourEyes: z.boolean(),
    watchedAlarms: z.array(z.string()),
    channel: z.string(),
    // Releases stored before no-data handling held on no data as `hold` does now.
    onNoData: z.enum(['hold', 'extendThenRollback']).default('hold'),
    failoverAlarm: z.string().optional(),
    analysis: releaseAnalysisSchema.optional(),
    bakeAnalysis: releaseAnalysisSchema.optional(),
  }),
  plan: z.array(step),
  undo: z.array(undoStep),
  state: releaseState,
  cursor: z.number().int(),
  run: run.optional(),
  stepCount: z.number().int(),
  exposure: z.array(exposureMarkSchema),
  trafficSince: instant.optional(),
  rollback: z
    .object({
      reason: rollbackReason,
      startedAt: instant,
      steps: z.array(undoStep),
      cursor: z.number().int(),
      failure: z
        .object({ hostId: z.string().optional(), status: outcome, output: z.string().optional() })
        .optional(),
      attempts: z.number().int(),
    })
    .optional(),
  approvals: z.array(z.object({ by: z.string(), at: instant })),
  alarms: z.record(z.string(), z.object({ state: alarmState, reason: z.string(), at: instant })),
  evidence: evidenceSchema.optional(),
  recordedVersion: z.string().optional(),
  canaryStack: canaryStackRecord.optional(),
  hostFailures: z
    .array(
      z.object({
        operation,
        hostId: z.string(),
        status: outcome,
        commandId: z.string().optional(),
        output: z.string().optional(),
      }),
    )
    .optional(),
  outOfService: z.array(z.string()).optional(),
  warnings: z.array(z.string()),
  group: releaseGroupSchema.optional(),
  version: z.number().int(),
  historyLength: z.number().int(),
  updatedAt: instant,
}) satisfies z.ZodType<Release>;

/** A stored release, items written before runs carried their step included (see `upgradeLegacyRun`). */
export const releaseSchema = z.preprocess(upgradeLegacyRun, currentReleaseSchema);

const HISTORY_CAUSES = [
  'requested',
  'approved',
  'rejected',
  'abortRequested',
  'rollbackRequested',
  'rollbackRetried',
  'hostOperationDispatched',
  'hostCommandFinished',
  'commandFinished',
  'alarmChanged',
  'alarmsChecked',
  'timerElapsed',
  'canaryAnalysed',
  'pathCounted',
  'canaryStackReady',
  'canaryStackFailed',
  'canaryStackCreated',
  'canaryStackCreateFailed',
  'canaryStackDeleted',
  'canaryStackDeleteFailed',
  'hookFinished',
  'listenerSwitched',
  'listenerSwitchFailed',
  'targetsGated',
  'targetsGateFailed',
  'deadlineExceeded',
] as const;
// Fails to compile when an event kind is added without its history cause here.
const everyCause: [Exclude<HistoryEntry['cause'], (typeof HISTORY_CAUSES)[number]>] extends [never]
  ? true
  : never = true;
void everyCause;

export const historyEntrySchema = z.object({
  seq: z.number().int(),
  at: instant,
  actor,
  cause: z.enum(HISTORY_CAUSES),
  from: releaseState.nullable(),
  to: releaseState,
  note: storedNote,
}) satisfies z.ZodType<HistoryEntry>;

export { pendingEffectSchema } from './effect-schema';
