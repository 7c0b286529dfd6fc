import { randomUUID } from 'node:crypto';
import type { ConsoleMessage } from './console-channel';

/** Where the person acts from, as Slack tells the app. */
interface Origin {
  readonly user: string;
  readonly userName: string;
  readonly responseUrl: string;
}

/**
 * A line typed in the console, split as Slack splits a slash command: the command and its text. A line that
 * starts with a slash command is taken as typed, never prefixed again; any other line is text for `/canary`.
 *
 * @example
 * typedCommand('/canary status orders-api') // { command: '/canary', text: 'status orders-api' }
 * typedCommand('status orders-api') // { command: '/canary', text: 'status orders-api' }
 */
export function typedCommand(typed: string): { readonly command: string; readonly text: string } {
  const line = typed.trim();
  const match = /^(\/[^\s/]+)(?:\s+([\s\S]*))?$/.exec(line);
  if (match === null) return { command: '/canary', text: line };
  return { command: (match[1] ?? '').toLowerCase(), text: (match[2] ?? '').trim() };
}

/** A slash command exactly as Slack posts it (application/x-www-form-urlencoded). */
export function slashCommandForm(origin: Origin, channel: string, text: string): URLSearchParams {
  return new URLSearchParams({
    token: 'sandbox-verification-token',
    team_id: 'TSANDBOX',
    team_domain: 'sandbox',
    channel_id: channel,
    channel_name: 'releases',
    user_id: origin.user,
    user_name: origin.userName,
    command: '/canary',
    text,
    api_app_id: 'ASANDBOX',
    is_enterprise_install: 'false',
    response_url: origin.responseUrl,
    trigger_id: triggerId(),
  });
}

/** A `block_actions` interaction payload for a button click on a message, as the `payload` form field. */
export function blockActionsForm(
  origin: Origin,
  message: ConsoleMessage,
  action: { readonly actionId: string; readonly value: string; readonly blockId: string },
): URLSearchParams {
  const { user, userName: name } = origin;
  const payload = {
    type: 'block_actions',
    user: { id: user, username: name, name, team_id: 'TSANDBOX' },
    api_app_id: 'ASANDBOX',
    token: 'sandbox-verification-token',
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: message.channel,
      is_ephemeral: Boolean(message.visibleTo),
    },
    trigger_id: triggerId(),
    team: { id: 'TSANDBOX', domain: 'sandbox' },
    channel: { id: message.channel, name: 'releases' },
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
    response_url: origin.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: action.actionId,
        block_id: action.blockId,
        value: action.value,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) });
}

function triggerId(): string {
  return `${Date.now()}.sandbox.${randomUUID().slice(0, 8)}`;
}
