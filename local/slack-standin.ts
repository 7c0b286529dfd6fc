import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { signedHeaders } from '../handlers/slack/request-signature';
import { ConsoleChannel } from './console-channel';
import { slackFiles } from './slack-files';
import { blockActionsForm, slashCommandForm, typedCommand } from './slack-interactions';
import { type Directory, slackWebApi, type WebApiMethod } from './slack-web-api';

export type { ConsoleMessage } from './console-channel';

export interface StandinOptions extends Directory {
  readonly signingSecret: string;
  /** Where the Slack app listens for slash commands and interactions, e.g. http://127.0.0.1:3000/slack/events. */
  readonly appUrl: () => string;
  readonly channel: string;
}

type Reply = { status: number; reply?: string };

/**
 * The sandbox's stand-in for Slack: the Web API methods the agent calls (pointed at by Bolt's
 * `clientOptions.slackApiUrl`), response URLs, and a console page that looks enough like a channel. What a person
 * types or clicks there is sent to the app as a correctly signed slash command or interaction payload.
 */
export function slackStandin(options: StandinOptions) {
  const channel = new ConsoleChannel(options.channel);
  const calls: Site['calls'] = [];
  const rateLimits: Site['rateLimits'] = new Map();
  let server: Server | undefined;
  const baseUrl = () => `http://127.0.0.1:${(server?.address() as AddressInfo | null)?.port ?? 0}`;
  const uploads = slackFiles({ baseUrl, share: (files, to, threadTs) => channel.share(files, to, threadTs) });
  const webApi = { ...uploads.webApi, ...slackWebApi(channel, options) };
  const app = signedApp(options, channel, baseUrl);
  const site: Site = { options, channel, uploads, webApi, calls, app, rateLimits };

  return {
    messages: () => channel.all(),
    /** Forgets every message and call (between tests). */
    reset(): void {
      channel.clear();
      calls.length = 0;
      rateLimits.clear();
      uploads.reset();
    },
    /**
     * The next `calls` calls of `method` are answered as Slack answers a caller over its rate tier: HTTP 429,
     * `Retry-After` in seconds, `ratelimited`, and nothing done.
     */
    rateLimit(method: string, limited: { calls: number; retryAfterSeconds: number }): void {
      rateLimits.set(method, { ...limited });
    },
    waitForMessage: channel.waitForMessage.bind(channel),
    calls: () => [...calls],
    /** The files uploaded with files.uploadV2, with their bytes. */
    files: uploads.files,
    command: app.command,
    click: app.click,
    /** The Web API base URL for Bolt's `clientOptions.slackApiUrl`. */
    apiUrl: () => `${baseUrl()}/api/`,
    url: baseUrl,
    async start(port = 0): Promise<string> {
      server = createServer((req, res) => {
        serve(site, req, res).catch((error: unknown) =>
          sendJson(res, 500, { ok: false, error: String(error) }),
        );
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
      return baseUrl();
    },
    async stop(): Promise<void> {
      channel.closeStreams();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

export type SlackStandin = ReturnType<typeof slackStandin>;

/** What a person does in the console, sent to the app as Slack would send it: signed, with a response URL. */
function signedApp(options: StandinOptions, channel: ConsoleChannel, baseUrl: () => string) {
  const origin = (user: string) => ({
    user,
    userName: options.users.find((u) => u.id === user)?.name ?? user,
    responseUrl: `${baseUrl()}/respond/${encodeURIComponent(user)}`,
  });

  async function send(form: URLSearchParams, user: string): Promise<Reply> {
    const body = form.toString();
    const response = await fetch(options.appUrl(), {
      method: 'POST',
      headers: signedHeaders(options.signingSecret, body),
      body,
    });
    const text = await response.text();
    if (text && response.headers.get('content-type')?.includes('json'))
      channel.respond(JSON.parse(text) as Record<string, unknown>, user);
    else if (text) channel.post({ text }, user);
    return { status: response.status, reply: text || undefined };
  }

  return {
    /** What `user` typed: `/canary status x`, or `status x` for short (the console adds `/canary` only then). */
    async command(user: string, typed: string): Promise<Reply> {
      const { command, text } = typedCommand(typed);
      channel.post({ text: `${command} ${text}`.trim() }, user, 'user', user);
      if (command !== '/canary') {
        const reply = `\`${command}\` is not a valid command here: this sandbox knows only \`/canary\`.`;
        channel.post({ text: reply }, user);
        return { status: 200, reply };
      }
      return send(slashCommandForm(origin(user), options.channel, text), user);
    },
    async click(user: string, messageId: string, actionId: string, value: string, blockId: string) {
      const message = channel.find((m) => m.id === messageId);
      if (!message) return { status: 404, reply: 'That message is gone.' };
      return send(blockActionsForm(origin(user), message, { actionId, value, blockId }), user);
    },
  };
}

interface Site {
  readonly options: StandinOptions;
  readonly channel: ConsoleChannel;
  readonly uploads: ReturnType<typeof slackFiles>;
  readonly webApi: Record<string, WebApiMethod>;
  readonly calls: { method: string; body: Record<string, unknown>; status: number }[];
  readonly app: ReturnType<typeof signedApp>;
  /** Web API methods to answer 429 for a number of calls, with the Retry-After Slack sends (seconds). */
  readonly rateLimits: Map<string, { calls: number; retryAfterSeconds: number }>;
}

const pages: Readonly<Record<string, readonly [file: string, type: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/console.js': ['console.js', 'text/javascript'],
  '/console.css': ['console.css', 'text/css'],
};

async function serve(site: Site, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const page = pages[pathname];
  if (req.method === 'GET' && page) return sendFile(res, ...page);
  if (req.method === 'GET' && pathname === '/config')
    return sendJson(res, 200, { channel: site.options.channel, users: site.options.users });
  if (req.method === 'GET' && pathname === '/stream') {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    return site.channel.follow(res);
  }
  if (await site.uploads.handle(req, res, pathname)) return;
  const body = await readBody(req);
  if (req.method !== 'POST') return sendJson(res, 404, { ok: false, error: 'not_found' });
  if (pathname.startsWith('/api/')) {
    const method = pathname.slice('/api/'.length);
    const fields = parseFields(body, req.headers['content-type']);
    const limited = site.rateLimits.get(method);
    if (limited && limited.calls > 0) {
      limited.calls--;
      site.calls.push({ method, body: fields, status: 429 });
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(limited.retryAfterSeconds),
      });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    site.calls.push({ method, body: fields, status: 200 });
    const answer = site.webApi[method];
    return sendJson(
      res,
      200,
      answer ? { ok: true, ...answer(fields) } : { ok: false, error: 'unknown_method' },
    );
  }
  if (pathname.startsWith('/respond/')) {
    const user = decodeURIComponent(pathname.slice('/respond/'.length));
    site.channel.respond(JSON.parse(body || '{}') as Record<string, unknown>, user);
    return sendJson(res, 200, { ok: true });
  }
  if (pathname === '/console/command') {
    const { user, text } = JSON.parse(body) as { user: string; text: string };
    return sendJson(res, 200, await site.app.command(user, text));
  }
  if (pathname === '/console/click') {
    const { user, messageId, actionId, value, blockId } = JSON.parse(body) as Record<string, string>;
    return sendJson(
      res,
      200,
      await site.app.click(user ?? '', messageId ?? '', actionId ?? '', value ?? '', blockId ?? ''),
    );
  }
  sendJson(res, 404, { ok: false, error: 'not_found' });
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
