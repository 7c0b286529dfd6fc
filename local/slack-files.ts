import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A file shared in a message, as the console shows it: the stand-in serves its bytes at `url`. */
export interface ConsoleFile {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly mimetype: string;
  readonly url: string;
  readonly altText?: string;
}

/** An uploaded file and its bytes. */
export interface UploadedFile extends ConsoleFile {
  readonly bytes: Buffer;
}

type WebApiMethod = (body: Record<string, unknown>) => Record<string, unknown>;
type ShareFiles = (files: readonly ConsoleFile[], channel: string, threadTs?: string) => void;

/**
 * Slack's external upload, which `files.uploadV2` of @slack/web-api runs in three steps:
 *
 *   files.getUploadURLExternal {filename, length, alt_txt}   -> {upload_url, file_id}
 *   POST upload_url (raw bytes, or multipart form data)       -> 200 "OK - <length>"
 *   files.completeUploadExternal {files: [{id, title}], channel_id, thread_ts}
 *                                                             -> {files: [{id, title}]}, and the file is shared
 *
 * Slack's reference names the alt text `alt_txt`; @slack/web-api 8 sends `alt_text`: both are kept.
 */
export function slackFiles(options: {
  readonly baseUrl: () => string;
  /** Shares completed files in a channel, in a thread when `threadTs` is set (a message, as Slack posts one). */
  readonly share: ShareFiles;
}) {
  const pending = new Map<string, PendingUpload>();
  const uploaded = new Map<string, UploadedFile>();

  const webApi: Record<string, WebApiMethod> = {
    'files.getUploadURLExternal': (body) => startUpload(body, pending, options.baseUrl),
    'files.completeUploadExternal': (body) => completeUpload(body, uploaded, options.share),
  };

  /** The upload URL's POST, and the file's bytes for the console; false when the request is not for these. */
  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const upload = /^\/upload\/v1\/(F[A-Z0-9]+)$/.exec(pathname);
    if (req.method === 'POST' && upload?.[1]) {
      await receive(upload[1], req, res);
      return true;
    }
    const download = /^\/files\/(F[A-Z0-9]+)(?:\/[^/]*)?$/.exec(pathname);
    if (req.method === 'GET' && download?.[1]) {
      const file = uploaded.get(download[1]);
      res.writeHead(file ? 200 : 404, { 'content-type': file?.mimetype ?? 'text/plain' });
      res.end(file?.bytes ?? 'file_not_found');
      return true;
    }
    return false;
  }

  async function receive(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const expected = pending.get(id);
    const bytes = expected ? await bodyBytes(req) : undefined;
    if (expected === undefined || bytes === undefined || bytes.length !== expected.length) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(expected ? `expected ${expected.length} bytes, got ${bytes?.length ?? 0}` : 'unknown upload');
      return;
    }
    pending.delete(id);
    uploaded.set(id, uploadedFile(id, expected, bytes, options.baseUrl()));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${bytes.length}`);
  }

  return {
    webApi,
    handle,
    /** Every completed or uploaded file, with its bytes. */
    files: (): readonly UploadedFile[] => [...uploaded.values()],
    reset(): void {
      pending.clear();
      uploaded.clear();
    },
  };
}

/** An upload whose URL was handed out and whose bytes have not arrived yet. */
interface PendingUpload {
  readonly name: string;
  readonly length: number;
  readonly altText?: string;
}

function startUpload(
  body: Record<string, unknown>,
  pending: Map<string, PendingUpload>,
  baseUrl: () => string,
): Record<string, unknown> {
  const length = Number(body.length);
  if (typeof body.filename !== 'string' || !Number.isInteger(length) || length <= 0)
    return { ok: false, error: 'missing_argument' };
  const id = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  const altText = body.alt_txt ?? body.alt_text;
  pending.set(id, {
    name: body.filename,
    length,
    ...(typeof altText === 'string' ? { altText } : {}),
  });
  return { upload_url: `${baseUrl()}/upload/v1/${id}`, file_id: id };
}

function completeUpload(
  body: Record<string, unknown>,
  uploaded: Map<string, UploadedFile>,
  share: ShareFiles,
): Record<string, unknown> {
  const requested = parseFiles(body.files);
  if (requested === undefined) return { ok: false, error: 'invalid_arguments' };
  const done = requested.map(({ id, title }) => {
    const file = uploaded.get(id);
    if (file === undefined) return undefined;
    const titled = { ...file, title: title ?? file.name };
    uploaded.set(id, titled);
    return titled;
  });
  if (done.some((file) => file === undefined)) return { ok: false, error: 'file_not_found' };
  const files = done.filter((file): file is UploadedFile => file !== undefined);
  if (typeof body.channel_id === 'string') {
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    share(files.map(consoleFile), body.channel_id, threadTs);
  }
  return { files: files.map(({ id, title }) => ({ id, title })) };
}

function uploadedFile(id: string, upload: PendingUpload, bytes: Buffer, baseUrl: string): UploadedFile {
  return {
    id,
    name: upload.name,
    title: upload.name,
    mimetype: mimetypeOf(upload.name),
    url: `${baseUrl}/files/${id}/${encodeURIComponent(upload.name)}`,
    ...(upload.altText === undefined ? {} : { altText: upload.altText }),
    bytes,
  };
}

function consoleFile({ bytes: _bytes, ...file }: UploadedFile): ConsoleFile {
  return file;
}

/** `files` arrives as JSON in a form field (or as an array in a JSON body): `[{"id": "F…", "title": "…"}]`. */
function parseFiles(value: unknown): { id: string; title?: string }[] | undefined {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const files = parsed.map((entry: unknown) =>
    typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string'
      ? (entry as { id: string; title?: unknown })
      : undefined,
  );
  if (files.some((file) => file === undefined)) return undefined;
  return files.map((file) => ({
    id: String(file?.id),
    ...(typeof file?.title === 'string' ? { title: file.title } : {}),
  }));
}

/** The uploaded bytes: the body itself, or its one file part when it is multipart form data. */
async function bodyBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return body;
  const form = await new Response(body, { headers: { 'content-type': type } }).formData();
  for (const value of form.values()) if (value instanceof Blob) return Buffer.from(await value.arrayBuffer());
  return Buffer.alloc(0);
}

function mimetypeOf(name: string): string {
  if (name.endsWith('.png')) return 'image/png';
  if (name.endsWith('.jpg') || name.endsWith('.jpeg')) return 'image/jpeg';
  return 'application/octet-stream';
}
