import { existsSync, readFileSync } from 'node:fs';

/** One line of the host's access log, in nginx's `combined` format, with the routing proxies' mark when present. */
export interface AccessLine {
  readonly remoteAddr: string;
  readonly remoteUser: string;
  /** When the line's time is, as a Date (nginx's `$time_local`: `17/Mar/2026:13:02:58 +0000`). */
  readonly time: Date;
  readonly request: string;
  readonly status: number;
  readonly bytes: number;
  readonly referer: string;
  readonly userAgent: string;
  readonly route?: string;
}

// nginx escapes `"` and control characters in variables (\x22), so a quoted field never holds a bare quote.
const COMBINED =
  /^(\S+) - (\S+) \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{4})\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"(?: (\S+))?$/;

/** The line as its fields, or null when it is not `combined` (with at most one field after it). */
export function parseAccessLine(line: string): AccessLine | null {
  const m = COMBINED.exec(line);
  if (!m) return null;
  const [
    ,
    remoteAddr,
    remoteUser,
    day,
    month,
    year,
    clock,
    zone,
    request,
    status,
    bytes,
    referer,
    ua,
    route,
  ] = m as unknown as string[];
  return {
    remoteAddr: remoteAddr ?? '',
    remoteUser: remoteUser ?? '',
    time: new Date(`${day} ${month} ${year} ${clock} GMT${zone}`),
    request: request ?? '',
    status: Number(status),
    bytes: Number(bytes),
    referer: referer ?? '',
    userAgent: ua ?? '',
    ...(route === undefined ? {} : { route }),
  };
}

/** Every line of the file so far (none when it does not exist yet). */
export function accessLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}
