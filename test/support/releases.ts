import { requestRelease, type StrategyChoice } from '../../domain/release-request';
import type { ServiceConfig } from '../../domain/service-config';
import type { Instant, Release } from '../../domain/types';
import { REQUESTER, serviceConfig } from '../../local/fixture-service-config';

export const T0: Instant = '2026-11-22T14:00:00.000Z';

/** A freshly requested release (state `deployingCanary`, version 1) and what `requestRelease` returned with it. */
export function newRelease(
  options: { id?: string; config?: ServiceConfig; now?: Instant; strategy?: StrategyChoice } = {},
) {
  const result = requestRelease({
    releaseId: options.id ?? 'orders-api-r1',
    config: options.config ?? serviceConfig(),
    fromVersion: '1.4.1',
    toVersion: '1.4.2',
    requestedBy: { kind: 'person', id: REQUESTER },
    now: options.now ?? T0,
    ...(options.strategy ? { strategy: options.strategy } : {}),
  });
  if (!result.ok) throw new Error(result.message);
  return result;
}

/** The same release one version later, as if an event had changed it. */
export function bumped(release: Release, changes: Partial<Release> = {}): Release {
  return { ...release, ...changes, version: release.version + 1, historyLength: release.historyLength + 1 };
}
