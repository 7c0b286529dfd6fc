import type { ConsoleChannel } from './console-channel';

export type WebApiMethod = (body: Record<string, unknown>) => Record<string, unknown>;

export interface Directory {
  readonly users: readonly { readonly id: string; readonly name: string }[];
  readonly userGroups?: Readonly<Record<string, readonly string[]>>;
}

/** The Web API methods the agent calls, answered from the console's channel and the sandbox's directory. */
export function slackWebApi(channel: ConsoleChannel, directory: Directory): Record<string, WebApiMethod> {
  const inChannel = (body: Record<string, unknown>) =>
    channel.find((m) => m.ts === body.ts && m.channel === body.channel);
  return {
    'auth.test': () => ({ user_id: 'UCANARYBOT', bot_id: 'BCANARYBOT', team_id: 'TSANDBOX', user: 'canary' }),
    'chat.postMessage': (body) => {
      const message = channel.post(body);
      return { channel: message.channel, ts: message.ts, message: { ts: message.ts, text: message.text } };
    },
    'chat.postEphemeral': (body) => ({ message_ts: channel.post(body, String(body.user)).ts }),
    'chat.update': (body) => {
      const found = inChannel(body);
      if (!found) return { ok: false, error: 'message_not_found' };
      channel.replace(found, body);
      return { channel: found.channel, ts: found.ts };
    },
    'chat.delete': (body) => {
      const found = inChannel(body);
      if (!found) return { ok: false, error: 'message_not_found' };
      channel.remove(found);
      return { channel: body.channel, ts: body.ts };
    },
    'chat.getPermalink': (body) => ({ permalink: `http://sandbox/${body.channel}/${body.message_ts}` }),
    'usergroups.users.list': (body) => ({ users: directory.userGroups?.[String(body.usergroup)] ?? [] }),
    // A group's handle is its id in lower case: enough for refusals that name a group without pinging it.
    'usergroups.list': () => ({
      usergroups: Object.keys(directory.userGroups ?? {}).map((id) => ({ id, handle: id.toLowerCase() })),
    }),
    'users.info': (body) => ({
      user: { id: body.user, name: directory.users.find((u) => u.id === body.user)?.name ?? body.user },
    }),
  };
}
