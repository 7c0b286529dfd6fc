import { startRefusal } from '../domain/access';
import { existingAlarmNames } from '../domain/canary-stack';
import type { GroupConfig } from '../domain/group';
import type { MemberInput } from '../domain/group-plan';
import { type GroupRefusal, requestGroupRelease } from '../domain/group-request';
import { liveColourOf } from '../domain/revert';
import type { ServiceConfig } from '../domain/service-config';
import type { Actor, Release } from '../domain/types';
import { denied } from './start-refusals';
import {
  createPlanned,
  type DirectStart,
  type Execute,
  liveTargetGroup,
  type StartDeps,
  type StartRefusal,
} from './start-release';

/** A group release as asked: ad hoc (`orders-api=1.4.2 payments=2.1.0`) or by a configured group's name. */
export interface GroupStartInput {
  /** The configured group; its members' versions come from `versions`, then from the group's own. */
  readonly group?: string;
  /** Ad hoc: the members in call order (the entry first), each with its version. Named: versions to release. */
  readonly versions: readonly { readonly service: string; readonly version: string }[];
  readonly requestedBy: Actor;
  readonly channel?: string;
  readonly steps?: readonly number[];
  readonly windowSeconds?: number;
  readonly requestId?: string;
}

export type GroupStartRefusal =
  | StartRefusal
  | GroupRefusal
  | 'unknown-group'
  | 'missing-version'
  | 'not-a-member';
export type GroupStartResult =
  | { readonly ok: true; readonly release: Release }
  | {
      readonly ok: false;
      readonly reason: GroupStartRefusal;
      readonly message: string;
      readonly activeReleaseId?: string;
    };

type Refused = Extract<GroupStartResult, { ok: false }>;
const refused = (reason: GroupStartRefusal, message: string): Refused => ({ ok: false, reason, message });

/**
 * Starts a group release:
 * 1. Resolve the members: the command's, or the configured group's (entry first), each with a version.
 * 2. Load every member's configuration, and ask the access policy about each (requester, channel, freezes).
 * 3. Read every member's current version, and plan the group (`requestGroupRelease`).
 * 4. Create it: one write that takes every member's lock; a busy member refuses the group, naming its holder.
 */
export async function startGroup(
  deps: StartDeps,
  input: GroupStartInput,
  execute: Execute,
): Promise<GroupStartResult> {
  const resolved = await resolveMembers(deps, input);
  if (!resolved.ok) return resolved;
  const members: MemberInput[] = [];
  for (const { config, version } of resolved.members) {
    const freezes = await deps.store.freezesOf(config.service);
    const denial = startRefusal(config, { actor: input.requestedBy, channel: input.channel }, freezes);
    if (denial !== null) return denied(config.service, denial, input.requestedBy);
    const fromVersion = await deps.versions.current(config.service);
    if (fromVersion === null) {
      return refused(
        'no-current-version',
        `No current version is recorded for ${config.service}; record the version its stable fleet runs first.`,
      );
    }
    const live = await liveTargetGroup(deps, config);
    if (typeof live === 'object') return live;
    const liveColour = liveColourOf(config, live);
    members.push({ config, fromVersion, toVersion: version, ...(liveColour ? { liveColour } : {}) });
  }
  const [entry] = members;
  const now = deps.clock.now();
  const requested = requestGroupRelease({
    releaseId: deps.ids.releaseId(entry?.config.service ?? 'group', now),
    ...(resolved.group ? { name: resolved.group.name, keepRouting: resolved.group.keepRouting } : {}),
    ...(resolved.group?.promotionOrder ? { promotionOrder: resolved.group.promotionOrder } : {}),
    members,
    ...(input.steps ? { steps: input.steps } : {}),
    ...(input.windowSeconds ? { windowSeconds: input.windowSeconds } : {}),
    requestedBy: input.requestedBy,
    now,
  });
  if (!requested.ok) return requested;
  const missing = await deps.alarmCatalog.missing(watchedBy(requested.release));
  if (missing.length > 0) {
    return refused(
      'missing-alarms',
      `The group watches alarms that do not exist in CloudWatch: ${missing.join(', ')}. Create them, or correct alarms in the members' configurations.`,
    );
  }
  const service = entry?.config.service ?? '';
  return (await createPlanned(deps, { ...input, service }, requested, execute)) as DirectStart;
}

type Resolved =
  | {
      readonly ok: true;
      readonly members: readonly { config: ServiceConfig; version: string }[];
      readonly group?: GroupConfig;
    }
  | Refused;

async function resolveMembers(deps: StartDeps, input: GroupStartInput): Promise<Resolved> {
  if (input.group === undefined) {
    const members = [];
    for (const { service, version } of input.versions) {
      const config = await configOf(deps, service);
      if (!('service' in config)) return config;
      members.push({ config, version });
    }
    return { ok: true, members };
  }
  const found = await namedGroup(deps, input.group);
  if (!found.ok) return found;
  const { entry, group } = found;
  const names = [entry.service, ...group.downstream];
  const stranger = input.versions.find((v) => !names.includes(v.service));
  if (stranger) {
    return refused(
      'not-a-member',
      `${stranger.service} is not in the group ${group.name} (${names.join(', ')}); leave it out, or release it on its own.`,
    );
  }
  const members = [];
  for (const service of names) {
    const version = input.versions.find((v) => v.service === service)?.version ?? group.versions[service];
    if (version === undefined) {
      return refused(
        'missing-version',
        `The group ${group.name} has no version for ${service}: type e.g. \`/canary start group ${group.name} ${service}=1.2.3\`.`,
      );
    }
    const config = service === entry.service ? entry : await configOf(deps, service);
    if (!('service' in config)) return config;
    members.push({ config, version });
  }
  return { ok: true, members, group };
}

async function configOf(deps: StartDeps, service: string): Promise<ServiceConfig | Refused> {
  const found = await deps.configs.get(service);
  if (found === null) return refused('unknown-service', `No service called ${service} is configured.`);
  if (!found.ok)
    return refused('invalid-config', `${service}'s configuration is invalid: ${found.errors.join('; ')}`);
  return found.config;
}

/** The configured group of that name, on whichever service is its entry. */
async function namedGroup(
  deps: StartDeps,
  name: string,
): Promise<{ ok: true; entry: ServiceConfig; group: GroupConfig } | Refused> {
  const list = await deps.configs.list();
  const valid = list.services.flatMap(({ config }) => (config.ok ? [config.config] : []));
  for (const config of valid) {
    const group = config.groups.find((g) => g.name === name);
    if (group) return { ok: true, entry: config, group };
  }
  const known = valid.flatMap((config) => config.groups.map((g) => g.name));
  const hint = known.length ? `Configured groups: ${known.join(', ')}.` : 'No group is configured.';
  return refused('unknown-group', `No group called ${name} is configured. ${hint}`);
}

function watchedBy(release: Release): string[] {
  const windows = release.plan.flatMap((step) => (step.kind === 'validate' ? step.alarms : []));
  return [...new Set(existingAlarmNames([...release.policy.watchedAlarms, ...windows]))];
}
