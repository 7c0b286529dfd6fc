import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { CANCEL_QUEUED_ACTION_ID } from '../../adapters/slack-presentation/card-queue';
import { PLAN_RUN_ACTION_ID } from '../../adapters/slack-presentation/plan-preview';
import { ACTION_IDS, actionOf } from '../../adapters/slack-presentation/release-card';
import { REVERT_ACTION_ID } from '../../adapters/slack-presentation/revert-confirm';
import { CONFIRMED_ACTION_IDS, confirmedActionOf } from '../../adapters/slack-presentation/stop-confirm';
import { CodedError, UnknownReleaseError } from '../../domain/errors';
import { logger } from '../log';
import { parseCanaryCommand } from './canary-command';
import { answerCommand, type Requester, type SlackDeps } from './command-answers';
import { cancelQueuedClick } from './queue-answers';
import { revertAction } from './revert-answers';
import { cardClick } from './stop-answers';

const RELEASE_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;
const SORRY =
  'The agent could not finish this request. Nothing more will happen from it; check the release with `/canary status ‹service›` before trying again.';

/**
 * Wires `/canary` and the card's buttons into a Bolt app (on Lambda, in the sandbox, or over Socket Mode):
 * one listener per kind, each answering within Slack's 3 seconds because slow work is handed off.
 */
export function registerCanary(app: App, deps: SlackDeps): void {
  app.command('/canary', (args) => canaryCommand(deps, args));
  for (const actionId of [...Object.values(ACTION_IDS), ...Object.values(CONFIRMED_ACTION_IDS)]) {
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: actionId }, (args) =>
      cardAction(deps, args),
    );
  }
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: REVERT_ACTION_ID }, (args) =>
    revertAction(deps, (userId, requestId) => requester(args.client, userId, requestId), args).catch(
      async (error: unknown) => {
        await args.respond(ephemeral(sorry(error)));
      },
    ),
  );
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: PLAN_RUN_ACTION_ID }, (args) =>
    planRun(deps, args),
  );
  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: CANCEL_QUEUED_ACTION_ID },
    (args) =>
      cancelQueuedClick(deps, (userId, requestId) => requester(args.client, userId, requestId), args).catch(
        async (error: unknown) => {
          await args.respond(ephemeral(sorry(error)));
        },
      ),
  );
}

/**
 * A plan preview's Run button: its value is the previewed command's words, read again as `/canary start` reads
 * them, and started on the one start path (its refusals included) by the clicker, from the channel of the preview.
 */
export async function planRun(
  deps: SlackDeps,
  {
    ack,
    action,
    body,
    respond,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs,
): Promise<void> {
  await ack();
  const parsed = parseCanaryCommand(`start ${action.value ?? ''}`);
  // Without its channel the service's channel rule could not apply: every preview is posted in one.
  const channelId = body.channel?.id;
  const previewTs: unknown = body.container.message_ts;
  if (!parsed.ok || parsed.command.kind !== 'start' || !channelId || typeof previewTs !== 'string') {
    await respond(ephemeral('This button is not one of ours.'));
    return;
  }
  logger.appendKeys({ command: 'planRun', slackUser: body.user.id });
  // The preview is the request: a second click on it (or Slack's retry of the first) starts nothing more.
  const who = { ...requester(client, body.user.id, `slack:plan:${channelId}:${previewTs}`), channelId };
  const answer = await answerCommand(deps, parsed.command, who).catch(sorry);
  await respond(ephemeral(typeof answer === 'string' ? answer : answer.text));
}

/** A slash command: parse, answer, and acknowledge with the answer (an ephemeral reply). */
export async function canaryCommand(
  deps: SlackDeps,
  { command, ack, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs,
): Promise<void> {
  const parsed = parseCanaryCommand(command.text ?? '');
  if (!parsed.ok) return ack({ response_type: 'ephemeral', text: parsed.message });
  const who = {
    ...requester(client, command.user_id, `slack:${command.trigger_id}`),
    channelId: command.channel_id,
  };
  logger.appendKeys({ command: parsed.command.kind, slackUser: command.user_id });
  const answer = await answerCommand(deps, parsed.command, who).catch(sorry);
  // Most answers are text; `/canary revert` answers with a confirm button.
  const reply =
    typeof answer === 'string' ? { text: answer } : { text: answer.text, blocks: [...answer.blocks] };
  await ack({ response_type: 'ephemeral', ...reply });
}

/**
 * A button on a release card (or on the confirm step of its Roll back and Abort): acknowledge at once, then
 * answer the clicker only: a refusal, the confirm step, or what a confirmed stop started.
 */
export async function cardAction(
  deps: SlackDeps,
  {
    ack,
    action,
    body,
    respond,
    client,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs,
): Promise<void> {
  await ack();
  const confirmed = confirmedActionOf(action.action_id);
  const kind = confirmed ?? actionOf(action.action_id);
  const releaseId = action.value;
  if (kind === null || releaseId === undefined || !RELEASE_ID.test(releaseId)) {
    await respond(ephemeral('This button is not one of ours.'));
    return;
  }
  logger.appendKeys({ releaseId, action: kind, slackUser: body.user.id });
  const who = requester(client, body.user.id, `slack:${body.trigger_id}`);
  const answer = await cardClick(deps, releaseId, kind, who, confirmed !== null).catch((error: unknown) =>
    error instanceof UnknownReleaseError
      ? 'This card belongs to a release the agent does not know (any more).'
      : sorry(error),
  );
  if (answer === null) return;
  if (typeof answer !== 'string') await respond({ ...ephemeral(answer.text), blocks: [...answer.blocks] });
  // A confirm step's outcome takes the place of the confirm step.
  else await respond({ ...ephemeral(answer), replace_original: confirmed !== null });
}

function ephemeral(text: string) {
  return { response_type: 'ephemeral', replace_original: false, text } as const;
}

function requester(client: WebClient, userId: string, requestId: string): Requester {
  return {
    userId,
    requestId,
    groupsAmong: (groups) => groupsContaining(client, userId, groups),
    groupHandles: (groups) => groupHandles(client, groups),
  };
}

/**
 * The handles of `groupIds` (one `usergroups.list`, scope usergroups:read), for naming a group in a refusal
 * without mentioning it. Only a refusal asks, so a failure costs only a friendlier name: ids stand in.
 */
async function groupHandles(client: WebClient, groupIds: readonly string[]) {
  const listed = await client.usergroups.list({}).catch(() => ({ usergroups: [] }));
  const handles = new Map<string, string>();
  for (const group of listed.usergroups ?? []) {
    if (group.id && group.handle && groupIds.includes(group.id)) handles.set(group.id, group.handle);
  }
  return handles;
}

/** Which of `groupIds` the user belongs to: one `usergroups.users.list` per group (scope usergroups:read). */
async function groupsContaining(client: WebClient, userId: string, groupIds: readonly string[]) {
  const members = await Promise.all(
    groupIds.map(async (usergroup) => ({
      usergroup,
      users: (await client.usergroups.users.list({ usergroup })).users ?? [],
    })),
  );
  return members.filter((group) => group.users.includes(userId)).map((group) => group.usergroup);
}

/** Logs a fault (never the payload) and gives the person a plain answer instead of Slack's "failed" banner. */
function sorry(error: unknown): string {
  const code = error instanceof CodedError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
  logger.error('slack request failed', {
    code,
    reason: error instanceof Error ? error.message : String(error),
  });
  return SORRY;
}
