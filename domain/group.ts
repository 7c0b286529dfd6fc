import * as z from 'zod';
import { isServiceName, isVersion } from './patterns';
import type { Release } from './types';

/*
 * Full-link group releases (README, "Group releases"): several services released together, one card, one verdict.
 * The entry service colours requests with the tag; every downstream member routes tagged requests to its canary.
 */

/** Requests the routing proxies sent to a member's canary, by whether they arrived tagged (read per window). */
export interface PathCount {
  /** Arrived carrying the tag: coloured upstream. For the entry, the requests it coloured itself are untagged. */
  readonly tagged: number;
  readonly untagged: number;
}

export interface GroupMember {
  readonly service: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** The version last written to the version registry for this member by this release. */
  readonly recordedVersion?: string;
  /** Its promotion stands: a later failure leaves it on the new version (domain/group-plan.ts). */
  readonly settled?: boolean;
  readonly path?: PathCount;
}

export interface ReleaseGroup {
  /** The configured group's name, for a named group; ad hoc groups have none. */
  readonly name?: string;
  /** In call order: the first is the entry service, which colours requests. */
  readonly members: readonly GroupMember[];
  /** The order members are promoted in, one after the other. */
  readonly promotionOrder: readonly string[];
  /** Keep every member's routing proxy and canary after the promotion, for the next group release. */
  readonly keepRouting: boolean;
  /** The end of the span the members' `path` counts cover: a count over a shorter span is older news. */
  readonly countedUntil?: string;
}

export const MAX_GROUP_MEMBERS = 6;

const serviceName = () => z.string().refine(isServiceName, 'a service name such as "orders-api"');

/**
 * A named group, configured on its entry service (`groups`): `/canary start group <name>` releases its members
 * together, with the versions given on the command or, where left out, those named here.
 */
export function buildGroupsSchema() {
  return z
    .array(
      z
        .strictObject({
          name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a group name such as "checkout" (a-z, 0-9, -)'),
          /** The services this one calls, in call order (this service is the entry). */
          downstream: z
            .array(serviceName())
            .min(1)
            .max(MAX_GROUP_MEMBERS - 1),
          /** Every member once, entry included; by default downstream first, so a caller never meets an old callee. */
          promotionOrder: z.array(serviceName()).optional(),
          keepRouting: z.boolean().default(false),
          /** Versions to release when the command names none for a member (a release manifest). */
          versions: z
            .record(serviceName(), z.string().refine(isVersion, 'a version (letters, digits, . _ -)'))
            .default({}),
        })
        .refine((g) => new Set(g.downstream).size === g.downstream.length, {
          message: 'a service appears twice in downstream',
          path: ['downstream'],
        }),
    )
    .max(20)
    .refine((groups) => new Set(groups.map((g) => g.name)).size === groups.length, {
      message: 'two groups share a name',
    });
}

export type GroupConfig = z.infer<ReturnType<typeof buildGroupsSchema>>[number];

/** Every service a release acts on: its group's members, or its one service. */
export function servicesOf(release: Pick<Release, 'service' | 'group'>): readonly string[] {
  return release.group ? release.group.members.map((m) => m.service) : [release.service];
}

export function memberOf(release: Release, service: string): GroupMember | undefined {
  return release.group?.members.find((m) => m.service === service);
}

/** The release with one member changed. */
export function withMember(
  release: Release,
  service: string,
  change: (member: GroupMember) => GroupMember,
): Release {
  const group = release.group;
  if (group === undefined) return release;
  const members = group.members.map((m) => (m.service === service ? change(m) : m));
  return { ...release, group: { ...group, members } };
}

/** `orders-api=1.4.2 payments=2.1.0`: the group's versions as a command would name them. */
export function describeGroupVersions(group: ReleaseGroup): string {
  return group.members.map((m) => `${m.service}=${m.toVersion}`).join(' ');
}

/**
 * What each member runs once a group release ended: the new version where its promotion stands (or was recorded
 * and not put back), the previous one elsewhere.
 */
export function versionsRunning(
  group: ReleaseGroup,
): readonly { service: string; version: string; isNew: boolean }[] {
  return group.members.map((m) => {
    const isNew = m.settled === true || m.recordedVersion === m.toVersion;
    return { service: m.service, version: isNew ? m.toVersion : m.fromVersion, isNew };
  });
}
