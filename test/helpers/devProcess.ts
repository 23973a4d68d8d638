import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');

/** Starts `tributary dev` (built CLI) in a child process; resolves with the process and its endpoint URL. */
export async function startDevProcess(
  dir: string,
  extraArgs: string[] = [],
): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, [BIN, 'dev', dir, '--edge-port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /AWS endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`dev exited early (${code}): ${out}`)));
  });
  return { child, endpoint };
}

/** Polls until `done()` or the deadline: a child process works in real time, so this waits on it (bounded). */
export async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await delay(50);
  }
  return true;
}
