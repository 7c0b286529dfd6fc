import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ConsoleFile } from './slack-files';

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

/**
 * The messages of the sandbox's Slack stand-in, in the order they were posted. Every change is pushed to the
 * console pages that follow the stream and wakes whoever waits for a message.
 */
export class ConsoleChannel {
  private readonly messages: ConsoleMessage[] = [];
  private readonly streams = new Set<ServerResponse>();
  private readonly waiters = new Set<() => void>();
  private clock = 0;

  constructor(readonly defaultChannel: string) {}

  all(): ConsoleMessage[] {
    return [...this.messages];
  }

  find(matches: (m: ConsoleMessage) => boolean): ConsoleMessage | undefined {
    return this.messages.find(matches);
  }

  /** A new message from the app (or what a person typed), in the channel the fields name or the default one. */
  post(fields: Record<string, unknown>, visibleTo?: string, from: 'app' | 'user' = 'app', user?: string) {
    return this.upsert({
      id: randomUUID(),
      channel: String(fields.channel ?? this.defaultChannel),
      ts: this.nextTs(),
      threadTs: typeof fields.thread_ts === 'string' ? fields.thread_ts : undefined,
      text: String(fields.text ?? ''),
      blocks: parseBlocks(fields.blocks),
      visibleTo,
      from,
      user,
      updatedAt: Date.now(),
    });
  }

  /** Replaces a message's text and blocks in place, as chat.update and `replace_original` do. */
  replace(found: ConsoleMessage, fields: Record<string, unknown>): ConsoleMessage {
    return this.upsert({
      ...found,
      text: String(fields.text ?? found.text),
      blocks: parseBlocks(fields.blocks),
      updatedAt: Date.now(),
    });
  }

  /** Files shared by the app, as the message Slack posts for them. */
  share(files: readonly ConsoleFile[], channel: string, threadTs?: string): ConsoleMessage {
    return this.upsert({
      id: randomUUID(),
      channel,
      ts: this.nextTs(),
      threadTs,
      text: '',
      blocks: [],
      files,
      from: 'app',
      updatedAt: Date.now(),
    });
  }

  remove(found: ConsoleMessage): void {
    this.messages.splice(this.messages.indexOf(found), 1);
    this.publish();
  }

  /** What a `response_url` POST does in Slack: an ephemeral reply, or a replacement of the original message. */
  respond(payload: Record<string, unknown>, user: string): void {
    const original =
      payload.replace_original === true && typeof payload.message_ts === 'string'
        ? this.find((m) => m.ts === payload.message_ts)
        : undefined;
    if (original) this.replace(original, payload);
    else this.post(payload, payload.response_type === 'in_channel' ? undefined : user);
  }

  /** Resolves with the first message that matches, now or when one is posted or updated; rejects after `ms`. */
  waitForMessage(matches: (m: ConsoleMessage) => boolean, ms = 10_000): Promise<ConsoleMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.find(matches);
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching message within ${ms} ms`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Sends every message now, then again on each change, as server-sent events. */
  follow(stream: ServerResponse): void {
    stream.write(this.event());
    this.streams.add(stream);
    stream.on('close', () => this.streams.delete(stream));
  }

  clear(): void {
    this.messages.length = 0;
    this.publish();
  }

  closeStreams(): void {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  /** Slack's message timestamps: unique and increasing, microseconds since the epoch as seconds. */
  private nextTs(): string {
    this.clock = Math.max(this.clock + 1, Date.now() * 1000);
    return (this.clock / 1_000_000).toFixed(6);
  }

  private upsert(message: ConsoleMessage): ConsoleMessage {
    const index = this.messages.findIndex((m) => m.id === message.id);
    if (index >= 0) this.messages[index] = message;
    else this.messages.push(message);
    this.publish();
    return message;
  }

  private publish(): void {
    const event = this.event();
    for (const stream of this.streams) stream.write(event);
    for (const waiter of this.waiters) waiter();
  }

  private event(): string {
    return `data: ${JSON.stringify(this.messages)}\n\n`;
  }
}

/** The Web API client sends blocks as an array (JSON bodies) or as a JSON string (form fields). */
function parseBlocks(blocks: unknown): unknown[] {
  if (Array.isArray(blocks)) return blocks;
  if (typeof blocks === 'string' && blocks.length > 0) {
    const parsed: unknown = JSON.parse(blocks);
    return Array.isArray(parsed) ? parsed : [];
  }
  return [];
}
