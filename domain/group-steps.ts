import { memberOf, withMember } from './group';
import { exposureMark } from './rollback-types';
import { type Draft, draft } from './steps';
import type { Effect, Instant, Release, ReleaseEvent, UndoStep } from './types';

/*
 * What the engine does differently for a group release: versions are recorded per member, and a member whose
 * promotion (and its bake) passed is settled, so that a later failure rolls back only what is not yet promoted.
 */

/**
 * The plan step before `index` settled its member: its promotion stands, and no rollback puts it back.
 *
 * @example
 * settleAfter(release, 9).group?.members.find((m) => m.service === 'payments')?.settled // true
 */
export function settleAfter(release: Release, index: number): Release {
  const before = release.plan[index - 1];
  const member = before && 'settles' in before ? before.settles : undefined;
  if (member === undefined || memberOf(release, member)?.settled) return release;
  const promoted = exposureMark('stablePromoted', member);
  const settled = withMember(release, member, (m) => ({ ...m, settled: true }));
  return { ...settled, exposure: settled.exposure.filter((e) => e !== promoted) };
}

/** A promotion finished: the version users now get, for the release's service or the step's member. */
export function recordNewVersion(release: Release, step: UndoStep): { release: Release; effect: Effect } {
  const member = step.kind === 'hostOperation' && step.member ? memberOf(release, step.member) : undefined;
  if (member === undefined) {
    const effect: Effect = {
      kind: 'recordCurrentVersion',
      service: release.service,
      version: release.toVersion,
    };
    return { release: { ...release, recordedVersion: release.toVersion }, effect };
  }
  const effect: Effect = { kind: 'recordCurrentVersion', service: member.service, version: member.toVersion };
  return {
    release: withMember(release, member.service, (m) => ({ ...m, recordedVersion: m.toVersion })),
    effect,
  };
}

/** Members recorded on their new version whose promotion a rollback put back: the registry says the old one again. */
function putBackMembers(release: Release) {
  return (release.group?.members ?? []).filter((m) => !m.settled && m.recordedVersion === m.toVersion);
}

export function putBack(release: Release): Release {
  return putBackMembers(release).reduce(
    (r, member) => withMember(r, member.service, (m) => ({ ...m, recordedVersion: m.fromVersion })),
    release,
  );
}

export function putBackEffects(release: Release): Effect[] {
  return putBackMembers(release).map((m) => ({
    kind: 'recordCurrentVersion',
    service: m.service,
    version: m.fromVersion,
  }));
}

/**
 * The members' path counts came back: kept when they cover more than the counts already kept (a late answer to an
 * earlier window's count is older news), and never a state change.
 */
export function onPathCounted(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'pathCounted' }>,
): Draft | null {
  const group = release.group;
  if (group === undefined || (group.countedUntil !== undefined && event.until <= group.countedUntil))
    return null;
  const members = group.members.map((m) => {
    const path = event.counts[m.service];
    return path ? { ...m, path } : m;
  });
  const counted: Release = { ...release, group: { ...group, members, countedUntil: event.until } };
  return draft(counted, { kind: 'pathCounted', members }, 'progress');
}

/** At a group's window end: count what reached each member's canary since traffic began. */
export function countPathEffect(release: Release, checkId: string, until: Instant): Effect[] {
  if (release.group === undefined || release.trafficSince === undefined) return [];
  return [
    {
      kind: 'countPath',
      countId: `${checkId}.path`,
      services: release.group.members.map((m) => m.service),
      span: { from: release.trafficSince, to: until },
    },
  ];
}
