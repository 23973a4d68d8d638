import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

/** `12.34us`, `1.20ms`, `2.00s` → milliseconds. */
function toMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/** True when Debian's wrk is on the PATH. */
export async function hasWrk(): Promise<boolean> {
  try {
    await run('wrk', ['--version']).catch((error: { stdout?: string }) => {
      if (!String(error.stdout ?? '').includes('wrk')) throw error;
    });
    return true;
  } catch {
    return false;
  }
}

/** A fixed-duration load from wrk (one thread, `connections` keep-alive connections) against a loopback URL. */
export async function wrk(url: string, options: { connections: number; seconds: number }): Promise<LoadResult> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new Error(`load tests target loopback only: ${url}`);
  const { stdout } = await run('wrk', ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = /^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? '';
  const p99 = /^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '';
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { requestsPerSecond: rps, p50Ms: toMs(p50), p99Ms: toMs(p99), non2xx };
}
