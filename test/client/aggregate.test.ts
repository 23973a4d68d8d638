import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { AggregationError, aggregate, type ClientTimers } from '../../src/client/index.js';
import { cleanup } from '../helpers/cleanup.js';

/** A loopback server whose routes answer by how many times each path was called. */
async function server(
  t: import('node:test').TestContext,
  routes: Record<string, (n: number, res: ServerResponse) => void>,
) {
  const counts = new Map<string, number>();
  const srv = createServer((req, res) => {
    const path = req.url ?? '/';
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const route = routes[path];
    if (route === undefined) res.writeHead(404).end();
    else route(n, res);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanup(
    t,
    () =>
      new Promise<void>((resolve) => {
        srv.close(() => resolve());
        srv.closeAllConnections();
      }),
  );
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { base: `http://127.0.0.1:${port}`, counts };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/**
 * Fake time: waits between attempts resolve at once (their lengths are recorded); attempt timeouts fire only when
 * the test calls `expire()`.
 */
function fakeTimers(timeoutMs: number) {
  const waits: number[] = [];
  const pending = new Set<() => void>();
  const timers: ClientTimers = {
    set: (callback, ms) => {
      if (ms === timeoutMs) {
        pending.add(callback);
        return callback;
      }
      waits.push(ms);
      queueMicrotask(callback);
      return undefined;
    },
    clear: (handle) => pending.delete(handle as () => void),
  };
  const expire = (): void => {
    for (const fire of [...pending]) fire();
    pending.clear();
  };
  return { timers, waits, expire };
}

test('calls routes in parallel and merges; retries 5xx with jittered backoff and 429 after Retry-After', async (t) => {
  const { base, counts } = await server(t, {
    '/profile': (_, res) => json(res, 200, { name: 'Ada' }),
    '/orders': (n, res) => (n < 3 ? json(res, 503, { message: 'busy' }) : json(res, 200, [1, 2])),
    '/invoices': (n, res) =>
      n === 1 ? json(res, 429, { message: 'slow down' }, { 'retry-after': '2' }) : json(res, 200, [3]),
  });
  const { timers, waits } = fakeTimers(3_000);
  const result = await aggregate(
    {
      profile: { url: `${base}/profile` },
      orders: { url: `${base}/orders` },
      invoices: { url: `${base}/invoices` },
    },
    { timers, random: () => 0.5, baseDelayMs: 100, timeoutMs: 3_000 },
  );
  assert.deepEqual(result.values, { profile: { name: 'Ada' }, orders: [1, 2], invoices: [3] });
  assert.equal(result.complete, true);
  assert.equal(result.outcomes.orders.attempts, 3);
  assert.equal(counts.get('/orders'), 3);
  assert.deepEqual(
    waits.sort((a, b) => a - b),
    [50, 100, 2_000],
    'jitter 0.5 x 100 and 0.5 x 200; Retry-After 2 s',
  );
});

test('an optional call that fails leaves a hole; a required one fails the aggregate; 4xx are not retried', async (t) => {
  const { base, counts } = await server(t, {
    '/ok': (_, res) => json(res, 200, { ok: true }),
    '/down': (_, res) => json(res, 500, {}),
    '/missing': (_, res) => json(res, 404, {}),
  });
  const { timers } = fakeTimers(3_000);
  const partial = await aggregate(
    { ok: { url: `${base}/ok` }, down: { url: `${base}/down`, required: false } },
    { timers, retries: 1 },
  );
  assert.equal(partial.complete, false);
  assert.deepEqual(partial.values, { ok: { ok: true } });
  assert.deepEqual(partial.outcomes.down, { ok: false, error: 'HTTP 500', status: 500, attempts: 2 });
  await assert.rejects(
    aggregate({ ok: { url: `${base}/ok` }, missing: { url: `${base}/missing` } }, { timers }),
    (error: unknown) =>
      error instanceof AggregationError &&
      /missing \(HTTP 404\)/.test(error.message) &&
      error.outcomes.missing?.attempts === 1,
  );
  assert.equal(counts.get('/missing'), 1);
  const post = await aggregate(
    { write: { url: `${base}/down`, init: { method: 'POST' }, required: false } },
    { timers },
  );
  assert.equal(post.outcomes.write.attempts, 1, 'a POST is not sent twice');
});

test('each attempt has its own timeout; a call that never answers times out, then is retried', async (t) => {
  let seen = 0;
  let arrived: () => void = () => undefined;
  const { base } = await server(t, {
    '/hang': (n, res) => {
      seen = n;
      arrived();
      // The first attempt is never answered; the second is.
      if (n === 2) json(res, 200, { late: 'but here' });
    },
  });
  const { timers, expire } = fakeTimers(1_000);
  const firstArrived = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const pending = aggregate({ hang: { url: `${base}/hang`, timeoutMs: 1_000 } }, { timers });
  await firstArrived;
  expire();
  const result = await pending;
  assert.equal(seen, 2);
  assert.deepEqual(result.values.hang, { late: 'but here' });
  assert.equal(result.outcomes.hang.attempts, 2);
});
