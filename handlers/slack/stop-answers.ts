import type { CardAction, Message } from '../../adapters/slack-presentation/release-card';
import { type ConfirmedAction, stopConfirm } from '../../adapters/slack-presentation/stop-confirm';
import { UnknownReleaseError } from '../../domain/errors';
import { actionRefusal } from '../../domain/person-actions';
import {
  accepted,
  applyAction,
  personOn,
  type Requester,
  refusalText,
  type SlackDeps,
} from './command-answers';

/*
 * The card's buttons. Roll back and Abort are checked before anything is asked: a person who may not stop the
 * release is told so (and by which rule) at once; one who may gets a confirm step, whose button does it.
 */

/**
 * The answer to a click on a card button (or on a confirm step's button, `confirmed`): a refusal, a confirm step,
 * the outcome of a confirmed stop, or null when the card itself shows what happened.
 *
 * @example
 * await cardClick(deps, releaseId, 'rollback', stranger, false)
 * // 'Only the requester (<@U0ANA>) or an approver (<@U0BOB>) may roll back *orders-api* 1.4.2 (release `…`).'
 */
export async function cardClick(
  deps: SlackDeps,
  releaseId: string,
  action: CardAction,
  who: Requester,
  confirmed: boolean,
): Promise<string | Message | null> {
  if (!confirmed && (action === 'rollback' || action === 'abort'))
    return stopClick(deps, releaseId, action, who);
  if (!confirmed && action === 'promote') {
    const release = await deps.store.load(releaseId);
    // Promoting a window that ended without a verdict is asked once more, after the rule was checked.
    if (release?.run?.kind === 'inconclusive') return stopClick(deps, releaseId, action, who);
  }
  const result = await applyAction(deps, releaseId, action, who);
  if (!result.ok) return refusalText(deps, result, action, who);
  return confirmed ? accepted(result, action) : null;
}

/** Roll back or Abort pressed on the card: the refusal at once, or the confirm step. Nothing changes here. */
export async function stopClick(
  deps: SlackDeps,
  releaseId: string,
  action: ConfirmedAction,
  who: Requester,
): Promise<string | Message> {
  const release = await deps.store.load(releaseId);
  if (release === null) throw new UnknownReleaseError(releaseId);
  const refused = actionRefusal(release, action, await personOn(release, who));
  if (refused === null) return stopConfirm(action, release);
  return refusalText(deps, { release, ...refused }, action, who);
}
