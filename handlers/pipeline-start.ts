import type { ReleaseService } from '../app/release-service';
import type { Actor } from '../domain/types';
import { logger } from './log';

/*
 * A pipeline's "Release Requested", parsed (handlers/event-schemas.ts): one service's release, a configured
 * group by name, or an ad hoc group. Each answer is what the pipeline reads back: the release, its queued place,
 * or why not.
 */

interface Settings {
  readonly pipeline: string;
  readonly windowSeconds?: number;
  readonly steps?: readonly number[];
}

export type ReleaseRequested =
  | (Settings & {
      readonly service: string;
      readonly version: string;
      readonly percent?: number;
      readonly strategy?: 'blue-green' | 'mirror-then-steps';
    })
  | (Settings & { readonly group: string; readonly versions?: Readonly<Record<string, string>> })
  | (Settings & { readonly members: readonly { readonly service: string; readonly version: string }[] });

export type PipelineAnswer =
  | { readonly releaseId: string }
  | { readonly queued: string; readonly message: string }
  | { readonly refused: string; readonly message: string };

/**
 * Starts what the event asks for, as the pipeline; a redelivered event (same `id`) starts nothing twice.
 *
 * @example
 * await startRequested(service, event.id, { group: 'checkout', pipeline: 'shop/main#88' })
 * // { releaseId: 'front-20261206140000-…' }
 */
export async function startRequested(
  service: ReleaseService,
  id: string,
  detail: ReleaseRequested,
): Promise<PipelineAnswer> {
  const actor: Actor = { kind: 'pipeline', id: detail.pipeline };
  if ('service' in detail) return startService(service, id, detail, actor);
  const versions =
    'members' in detail
      ? detail.members
      : Object.entries(detail.versions ?? {}).map(([name, version]) => ({ service: name, version }));
  logger.appendKeys({
    ...('group' in detail ? { releaseGroup: detail.group } : {}),
    releaseServices: versions.map((v) => v.service).join(' '),
  });
  const started = await service.startGroup({
    ...('group' in detail ? { group: detail.group } : {}),
    versions,
    requestedBy: actor,
    ...(detail.steps ? { steps: detail.steps } : {}),
    ...(detail.windowSeconds ? { windowSeconds: detail.windowSeconds } : {}),
    requestId: id,
  });
  // A group is never queued: a busy member refuses it, naming the release that holds it.
  return started.ok ? { releaseId: started.release.id } : refused(started);
}

async function startService(
  service: ReleaseService,
  id: string,
  detail: Extract<ReleaseRequested, { service: string }>,
  actor: Actor,
): Promise<PipelineAnswer> {
  const { percent, windowSeconds, steps, strategy } = detail;
  logger.appendKeys({ releaseService: detail.service, version: detail.version });
  const started = await service.start({
    service: detail.service,
    toVersion: detail.version,
    requestedBy: actor,
    ...(steps ? { strategy: { kind: 'steps', steps } } : {}),
    ...(strategy === 'mirror-then-steps'
      ? { strategy: { kind: 'steps', mirrorFirst: true, ...(steps ? { steps } : {}) } }
      : {}),
    ...(strategy === 'blue-green' ? { strategy: { kind: 'blueGreen' } } : {}),
    percent,
    windowSeconds,
    requestId: id,
  });
  if (started.ok) return { releaseId: started.release.id };
  // Busy: it starts when the running release ends, as the release it reserved.
  if (started.reason === 'queued') return { queued: started.queued.releaseId, message: started.message };
  return refused(started);
}

function refused(result: { readonly reason: string; readonly message: string }): PipelineAnswer {
  // `detail`, not `message`: the logger drops a `message` key, which hid why a pipeline was refused.
  logger.warn('release refused', { reason: result.reason, detail: result.message });
  // The message names who froze the service (when and why), which pipelines may start it, or the busy member.
  return { refused: result.reason, message: result.message };
}
