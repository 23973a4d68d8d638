import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { cleanup } from './cleanup.js';

/**
 * A real HTTP server on 127.0.0.1 that holds every request until released. Handlers `await fetch(gate.url)`
 * to stay busy for exactly as long as a test needs, with no sleeps: the test learns they are running when
 * their requests arrive.
 */
export interface Gate {
  readonly url: string;
  /** Resolves when `count` requests in all have arrived. */
  arrived(count: number): Promise<void>;
  /** Answers every held request (and any later one at once). */
  release(): void;
}

export async function openGate(t: TestContext): Promise<Gate> {
  const held: ServerResponse[] = [];
  let released = false;
  let total = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((_req, res) => {
    total += 1;
    for (const w of waiters.filter((w) => total >= w.count)) w.resolve();
    if (released) res.end('open');
    else held.push(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup(t, async () => {
    for (const res of held) res.end('closed');
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    arrived: (count) =>
      total >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    release: () => {
      released = true;
      for (const res of held.splice(0)) res.end('open');
    },
  };
}
