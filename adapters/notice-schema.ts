import * as z from 'zod';
import type { Notice } from '../domain/notice';
import { HOST_OPERATIONS, RELEASE_STATES } from '../domain/types';
import { actorSchema } from './actor-schema';
import { analysisNotices } from './analysis-schema';
import { canaryStackNotices } from './canary-stack-schema';
import { groupMemberSchema } from './group-schema';
import { hookNotices } from './hook-schema';
import { queueNotices } from './queue-notice-schema';
import { rolloutNotices } from './rollout-schema';

/*
 * The stored shape of a notice (history entries, queued `notify` effects). Items written before notices were
 * data hold a string: it is read as a `legacy` notice, whose text every renderer treats as outside text.
 */

const colour = z.enum(['blue', 'green']);
const outcome = z.enum(['success', 'failed', 'timedOut', 'cancelled']);
const operation = z.enum(HOST_OPERATIONS);
const consequence = z.enum(['none', 'rollingBack', 'rollbackStepFailed']);
const names = z.array(z.string());
/** In a group release: the member a host operation acted on. */
const member = z.string().optional();

export { actorSchema };

export const strategySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mirror'), percent: z.number() }),
  z.object({
    kind: z.literal('steps'),
    steps: z.array(z.number()),
    bakeSeconds: z.number(),
    mirror: z.object({ percent: z.number() }).optional(),
  }),
  z.object({ kind: z.literal('blueGreen'), from: colour, to: colour }),
  z.object({
    kind: z.literal('revert'),
    of: z.string(),
    colours: z.object({ from: colour, to: colour }).optional(),
  }),
]);

const person = (kind: 'approved' | 'aborted' | 'rollbackRequested' | 'rollbackRetried') =>
  z.object({ kind: z.literal(kind), by: z.string() });
const fixed = (
  kind: 'canaryStackReady' | 'checkingAlarms' | 'windowPassed' | 'bakePassed' | 'listenerSwitchUndone',
) => z.object({ kind: z.literal(kind) });
const noData = (kind: 'windowExtended' | 'noDataAfterExtension' | 'inconclusive') =>
  z.object({ kind: z.literal(kind), noData: names });

export const noticeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('requested'),
    by: actorSchema,
    service: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    strategy: strategySchema,
    members: z.array(groupMemberSchema).optional(),
  }),
  fixed('canaryStackReady'),
  z.object({ kind: z.literal('pathCounted'), members: z.array(groupMemberSchema) }),
  z.object({ kind: z.literal('canaryStackFailed'), reason: z.string() }),
  person('approved'),
  z.object({ kind: z.literal('promotedWithoutData'), by: z.string(), noData: names }),
  z.object({ kind: z.literal('rejected'), by: z.string(), comment: z.string().optional() }),
  person('aborted'),
  person('rollbackRequested'),
  person('rollbackRetried'),
  z.object({
    kind: z.literal('alarmChanged'),
    alarmName: z.string(),
    state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  }),
  z.object({ kind: z.literal('alarmFired'), alarmName: z.string(), reason: z.string() }),
  fixed('checkingAlarms'),
  fixed('windowPassed'),
  fixed('bakePassed'),
  noData('windowExtended'),
  noData('noDataAfterExtension'),
  noData('inconclusive'),
  z.object({ kind: z.literal('commandSent'), operation, member, commandId: z.string() }),
  z.object({
    kind: z.literal('hostResult'),
    operation,
    member,
    hostId: z.string(),
    status: outcome,
    output: z.string().optional(),
    leadsTo: consequence,
  }),
  z.object({ kind: z.literal('commandResult'), operation, member, status: outcome, leadsTo: consequence }),
  z.object({
    kind: z.literal('failedHostsTolerated'),
    operation,
    member,
    hostIds: names,
    maxErrors: z.string(),
  }),
  z.object({ kind: z.literal('stepTimedOut'), step: z.string(), leadsTo: consequence }),
  z.object({ kind: z.literal('deadlineExceeded'), state: z.enum(RELEASE_STATES) }),
  z.object({
    kind: z.literal('listenerSwitched'),
    direction: z.enum(['forward', 'back']),
    colour: colour.optional(),
    version: z.string(),
  }),
  fixed('listenerSwitchUndone'),
  z.object({ kind: z.literal('listenerSwitchRefused'), reason: z.string(), leadsTo: consequence }),
  z.object({ kind: z.literal('legacy'), text: z.string(), detail: z.string().optional() }),
  ...analysisNotices,
  ...rolloutNotices,
  ...canaryStackNotices,
  ...hookNotices,
  ...queueNotices,
]) satisfies z.ZodType<Notice>;

// Fails to compile when a notice kind is added without its stored shape here.
const everyNotice: [Exclude<Notice['kind'], z.infer<typeof noticeSchema>['kind']>] extends [never]
  ? true
  : never = true;
void everyNotice;

/** A history entry's note: a notice, or the text an entry written before notices were data holds. */
export const storedNote = z.preprocess(
  (stored) => (typeof stored === 'string' ? { kind: 'legacy', text: stored } : stored),
  noticeSchema,
);

/**
 * A queued `notify` effect written before notices were data carried `headline` and `detail` text: it is read as
 * a legacy notice, so an outbox that held one across the upgrade still delivers it.
 */
export function upgradeLegacyNotify(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  const item = stored as { kind?: unknown; headline?: unknown; detail?: unknown; notice?: unknown };
  if (item.kind !== 'notify' || item.notice !== undefined || typeof item.headline !== 'string') return stored;
  const { headline, detail, ...rest } = item;
  const notice = { kind: 'legacy', text: headline, ...(typeof detail === 'string' ? { detail } : {}) };
  return { ...rest, notice };
}
