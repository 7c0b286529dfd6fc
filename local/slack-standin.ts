import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { signedHeaders } from '../handlers/slack/request-signature';
import { type ConsoleFile, slackFiles } from './slack-files';

/** A message as the console shows it: what the app posted, updated in place, or said to one person. */
export interface ConsoleMessage {
  readonly id: string;
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  readonly text: string;
  readonly blocks: readonly unknown[];
  /** Files shared with the message (files.uploadV2), served by the stand-in. */
  readonly files?: readonly ConsoleFile[];
  /** Set for ephemeral messages: only this user sees them. */
  readonly visibleTo?: string;
  readonly from: 'app' | 'user';
  readonly user?: string;
  readonly updatedAt: number;
}

export interface StandinOptions {
  readonly signingSecret: string;
  /** Where the Slack app listens for slash commands and interactions, e.g. http://127.0.0.1:3000/slack/events. */
  readonly appUrl: () => string;
  readonly channel: string;
  readonly users: readonly { readonly id: string; readonly name: string }[];
  readonly userGroups?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The sandbox's stand-in for Slack: the Web API methods the agent calls (pointed at by Bolt's
 * `clientOptions.slackApiUrl`), response URLs, and a console page that looks enough like a channel. What a person
 * types or clicks there is sent to the app as a correctly signed slash command or interaction payload.
 */
export function slackStandin(options: StandinOptions) {
  const messages: ConsoleMessage[] = [];
  const listeners = new Set<ServerResponse>();
  const calls: { method: string; body: Record<string, unknown> }[] = [];
  const waiters = new Set<() => void>();
  let clock = 0;
  let server: Server | undefined;

  function nextTs(): string {
    clock = Math.max(clock + 1, Date.now() * 1000);
    return (clock / 1_000_000).toFixed(6);
  }

  function publish(): void {
    const data = `data: ${JSON.stringify(messages)}\n\n`;
    for (const listener of listeners) listener.write(data);
    for (const waiter of waiters) waiter();
  }

  /** Resolves with the first message that matches, now or when one is posted or updated; rejects after `ms`. */
  function waitForMessage(matches: (m: ConsoleMessage) => boolean, ms = 10_000): Promise<ConsoleMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = messages.find(matches);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching message within ${ms} ms`));
      }, ms);
      waiters.add(check);
      check();
    });
  }

  function upsert(message: ConsoleMessage): ConsoleMessage {
    const index = messages.findIndex((m) => m.id === message.id);
    if (index >= 0) messages[index] = message;
    else messages.push(message);
    publish();
    return message;
  }

  function post(
    fields: Record<string, unknown>,
    visibleTo?: string,
    from: 'app' | 'user' = 'app',
    user?: string,
  ) {
    const ts = nextTs();
    return upsert({
      id: randomUUID(),
      channel: String(fields.channel ?? options.channel),
      ts,
      threadTs: typeof fields.thread_ts === 'string' ? fields.thread_ts : undefined,
      text: String(fields.text ?? ''),
      blocks: parseBlocks(fields.blocks),
      visibleTo,
      from,
      user,
      updatedAt: Date.now(),
    });
  }

  const uploads = slackFiles({
    baseUrl,
    share: (files, channel, threadTs) =>
      upsert({
        id: randomUUID(),
        channel,
        ts: nextTs(),
        threadTs,
        text: '',
        blocks: [],
        files,
        from: 'app',
        updatedAt: Date.now(),
      }),
  });

  const webApi: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    ...uploads.webApi,
    'auth.test': () => ({ user_id: 'UCANARYBOT', bot_id: 'BCANARYBOT', team_id: 'TSANDBOX', user: 'canary' }),
    'chat.postMessage': (body) => {
      const message = post(body);
      return { channel: message.channel, ts: message.ts, message: { ts: message.ts, text: message.text } };
    },
    'chat.postEphemeral': (body) => ({ message_ts: post(body, String(body.user)).ts }),
    'chat.update': (body) => {
      const found = messages.find((m) => m.ts === body.ts && m.channel === body.channel);
      if (!found) return { ok: false, error: 'message_not_found' };
      upsert({
        ...found,
        text: String(body.text ?? found.text),
        blocks: parseBlocks(body.blocks),
        updatedAt: Date.now(),
      });
      return { channel: found.channel, ts: found.ts };
    },
    'chat.delete': (body) => {
      const index = messages.findIndex((m) => m.ts === body.ts && m.channel === body.channel);
      if (index < 0) return { ok: false, error: 'message_not_found' };
      messages.splice(index, 1);
      publish();
      return { channel: body.channel, ts: body.ts };
    },
    'chat.getPermalink': (body) => ({ permalink: `http://sandbox/${body.channel}/${body.message_ts}` }),
    'usergroups.users.list': (body) => ({ users: options.userGroups?.[String(body.usergroup)] ?? [] }),
    // A group's handle is its id in lower case: enough for refusals that name a group without pinging it.
    'usergroups.list': () => ({
      usergroups: Object.keys(options.userGroups ?? {}).map((id) => ({ id, handle: id.toLowerCase() })),
    }),
    'users.info': (body) => ({
      user: { id: body.user, name: options.users.find((u) => u.id === body.user)?.name ?? body.user },
    }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/')
      return sendFile(res, 'index.html', 'text/html; charset=utf-8');
    if (req.method === 'GET' && url.pathname === '/console.js')
      return sendFile(res, 'console.js', 'text/javascript');
    if (req.method === 'GET' && url.pathname === '/console.css')
      return sendFile(res, 'console.css', 'text/css');
    if (req.method === 'GET' && url.pathname === '/config') {
      return sendJson(res, 200, { channel: options.channel, users: options.users });
    }
    if (req.method === 'GET' && url.pathname === '/stream') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(`data: ${JSON.stringify(messages)}\n\n`);
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (await uploads.handle(req, res, url.pathname)) return;
    const body = await readBody(req);
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      const fields = parseFields(body, req.headers['content-type']);
      calls.push({ method, body: fields });
      const answer = webApi[method];
      return sendJson(
        res,
        200,
        answer ? { ok: true, ...answer(fields) } : { ok: false, error: 'unknown_method' },
      );
    }
    if (req.method === 'POST' && url.pathname.startsWith('/respond/')) {
      const user = decodeURIComponent(url.pathname.slice('/respond/'.length));
      respond(JSON.parse(body || '{}') as Record<string, unknown>, user);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/console/command') {
      const { user, text } = JSON.parse(body) as { user: string; text: string };
      return sendJson(res, 200, await command(user, text));
    }
    if (req.method === 'POST' && url.pathname === '/console/click') {
      const { user, messageId, actionId, value, blockId } = JSON.parse(body) as Record<string, string>;
      return sendJson(
        res,
        200,
        await click(user ?? '', messageId ?? '', actionId ?? '', value ?? '', blockId ?? ''),
      );
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  /** What a `response_url` POST does in Slack: an ephemeral reply, or a replacement of the original message. */
  function respond(payload: Record<string, unknown>, user: string): void {
    if (payload.replace_original === true && typeof payload.message_ts === 'string') {
      const found = messages.find((m) => m.ts === payload.message_ts);
      if (found) {
        upsert({
          ...found,
          text: String(payload.text ?? found.text),
          blocks: parseBlocks(payload.blocks),
          updatedAt: Date.now(),
        });
        return;
      }
    }
    const visibleTo = payload.response_type === 'in_channel' ? undefined : user;
    post(payload, visibleTo);
  }

  function baseUrl(): string {
    const address = server?.address() as AddressInfo | null;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  async function sendToApp(form: URLSearchParams, user: string): Promise<{ status: number; reply?: string }> {
    const body = form.toString();
    const response = await fetch(options.appUrl(), {
      method: 'POST',
      headers: signedHeaders(options.signingSecret, body),
      body,
    });
    const text = await response.text();
    if (text && response.headers.get('content-type')?.includes('json'))
      respond(JSON.parse(text) as Record<string, unknown>, user);
    else if (text) post({ text }, user);
    return { status: response.status, reply: text || undefined };
  }

  /** A slash command exactly as Slack posts it (application/x-www-form-urlencoded), signed. */
  async function command(user: string, text: string) {
    const name = options.users.find((u) => u.id === user)?.name ?? user;
    post({ text: `/canary ${text}` }, user, 'user', user);
    const form = new URLSearchParams({
      token: 'sandbox-verification-token',
      team_id: 'TSANDBOX',
      team_domain: 'sandbox',
      channel_id: options.channel,
      channel_name: 'releases',
      user_id: user,
      user_name: name,
      command: '/canary',
      text,
      api_app_id: 'ASANDBOX',
      is_enterprise_install: 'false',
      response_url: `${baseUrl()}/respond/${encodeURIComponent(user)}`,
      trigger_id: `${Date.now()}.sandbox.${randomUUID().slice(0, 8)}`,
    });
    return sendToApp(form, user);
  }

  /** A `block_actions` interaction payload for a button click on a message, signed. */
  async function click(user: string, messageId: string, actionId: string, value: string, blockId: string) {
    const message = messages.find((m) => m.id === messageId);
    if (!message) return { status: 404, reply: 'That message is gone.' };
    const name = options.users.find((u) => u.id === user)?.name ?? user;
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
      trigger_id: `${Date.now()}.sandbox.${randomUUID().slice(0, 8)}`,
      team: { id: 'TSANDBOX', domain: 'sandbox' },
      channel: { id: message.channel, name: 'releases' },
      message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
      response_url: `${baseUrl()}/respond/${encodeURIComponent(user)}`,
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: blockId,
          value,
          action_ts: String(Date.now() / 1000),
        },
      ],
    };
    return sendToApp(new URLSearchParams({ payload: JSON.stringify(payload) }), user);
  }

  return {
    messages: () => [...messages],
    /** Forgets every message and call (between tests). */
    reset(): void {
      messages.length = 0;
      calls.length = 0;
      uploads.reset();
      publish();
    },
    waitForMessage,
    calls: () => [...calls],
    /** The files uploaded with files.uploadV2, with their bytes. */
    files: uploads.files,
    command,
    click,
    /** The Web API base URL for Bolt's `clientOptions.slackApiUrl`. */
    apiUrl: () => `${baseUrl()}/api/`,
    url: baseUrl,
    async start(port = 0): Promise<string> {
      server = createServer((req, res) => {
        handle(req, res).catch((error: unknown) => sendJson(res, 500, { ok: false, error: String(error) }));
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
      return baseUrl();
    },
    async stop(): Promise<void> {
      for (const listener of listeners) listener.end();
      listeners.clear();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

export type SlackStandin = ReturnType<typeof slackStandin>;

function parseBlocks(blocks: unknown): unknown[] {
  if (Array.isArray(blocks)) return blocks;
  if (typeof blocks === 'string' && blocks.length > 0) {
    const parsed: unknown = JSON.parse(blocks);
    return Array.isArray(parsed) ? parsed : [];
  }
  return [];
}

/** The Web API client sends form fields (objects as JSON strings) or JSON, depending on the method. */
function parseFields(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const consoleDir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'console');

function sendFile(res: ServerResponse, name: string, type: string): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(readFileSync(join(consoleDir, name)));
}
