import { spawn } from 'node:child_process';

/** Connections wrk keeps open (kept alive unless a run asks for `Connection: close`). */
export const WRK_CONNECTIONS = 16;

export interface WrkResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly socketErrors: number;
  readonly non2xx: number;
}

export function wrk(
  url: string,
  seconds: number,
  script?: string,
  headers: string[] = [],
): Promise<WrkResult> {
  const args = [
    '-t2',
    `-c${WRK_CONNECTIONS}`,
    `-d${Math.ceil(seconds)}s`,
    ...headers,
    ...(script ? ['-s', script] : []),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', () => {
      if (process.env.BENCH_VERBOSE) process.stderr.write(out);
      const num = (re: RegExp) => Number(out.match(re)?.[1] ?? 0);
      const errors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
      resolve({
        requests: num(/(\d+) requests in/),
        perSecond: num(/Requests\/sec:\s+([\d.]+)/),
        socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
      });
    });
  });
}
