import { EVERY_SERVICE, type Freeze, freezeRefusal, freezers, type People } from '../domain/access';
import type { Clock, FreezeStore, ServiceConfigs } from '../domain/ports';
import type { Actor } from '../domain/types';

export interface FreezeDeps {
  readonly store: FreezeStore;
  readonly configs: ServiceConfigs;
  readonly clock: Clock;
  /** Who may freeze every service at once (and any single one): the agent's freeze admins. */
  readonly admins: People;
}

export type FreezeRefusal = 'unknown-service' | 'not-authorized' | 'already-frozen' | 'not-frozen';

export type FreezeResult =
  | { readonly ok: true; readonly freeze: Freeze }
  | {
      readonly ok: false;
      readonly reason: FreezeRefusal;
      /** For `not-authorized`: who may. */
      readonly allowed?: People;
      /** For `already-frozen`: the freeze in force, which is kept. */
      readonly freeze?: Freeze;
    };

type Allowed =
  | { readonly ok: true; readonly allowed: People }
  | { readonly ok: false; readonly reason: 'unknown-service' };

/**
 * Change freezes: `freeze` stops new starts of a service (or of every service, scope `*`) until `unfreeze`.
 *
 * Freeze (and unfreeze), step by step:
 * 1. Find who may: the service's approvers and the freeze admins (the admins only for every service). A service
 *    whose configuration is invalid has no approvers to trust, so only the admins may freeze it.
 * 2. Ask the domain whether the actor (groups resolved at the edge, see `allowedFor`) is one of them.
 * 3. Put the freeze if absent (or delete it if present): a second freeze keeps the first and reports it.
 */
export function freezeService(deps: FreezeDeps) {
  /** Who may freeze `scope`, so the edge knows which user groups to resolve. */
  async function allowedFor(scope: string): Promise<Allowed> {
    if (scope === EVERY_SERVICE) return { ok: true, allowed: deps.admins };
    const found = await deps.configs.get(scope);
    if (found === null) return { ok: false, reason: 'unknown-service' };
    return { ok: true, allowed: freezers(scope, found.ok ? found.config : null, deps.admins) };
  }

  async function freeze(input: { scope: string; actor: Actor; reason?: string }): Promise<FreezeResult> {
    const who = await allowedFor(input.scope);
    if (!who.ok) return who;
    if (freezeRefusal(who.allowed, input.actor) !== null) {
      return { ok: false, reason: 'not-authorized', allowed: who.allowed };
    }
    const wanted: Freeze = {
      scope: input.scope,
      by: input.actor,
      at: deps.clock.now(),
      ...(input.reason ? { reason: input.reason } : {}),
    };
    const existing = await deps.store.freeze(wanted);
    return existing === null
      ? { ok: true, freeze: wanted }
      : { ok: false, reason: 'already-frozen', freeze: existing };
  }

  async function unfreeze(input: { scope: string; actor: Actor }): Promise<FreezeResult> {
    const who = await allowedFor(input.scope);
    if (!who.ok) return who;
    if (freezeRefusal(who.allowed, input.actor) !== null) {
      return { ok: false, reason: 'not-authorized', allowed: who.allowed };
    }
    const lifted = await deps.store.unfreeze(input.scope);
    return lifted === null ? { ok: false, reason: 'not-frozen' } : { ok: true, freeze: lifted };
  }

  return { allowedFor, freeze, unfreeze, freezes: () => deps.store.freezes() };
}

export type FreezeService = ReturnType<typeof freezeService>;
