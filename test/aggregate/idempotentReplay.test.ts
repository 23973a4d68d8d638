import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startDevApp } from '../helpers/devApp.js';

const helper = pathToFileURL(join(process.cwd(), 'dist', 'aggregate', 'index.js')).href;

/** An L2 whose body logs each real run; `flaky` fails its first run. Both are idempotent on the branch key. */
const l2 = (name: string) => `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { makeIdempotent, IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { BRANCH_IDEMPOTENCY_KEY_PATH } from '${helper}';
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idempotency' });
const config = new IdempotencyConfig({ eventKeyJmesPath: BRANCH_IDEMPOTENCY_KEY_PATH });
export const handler = makeIdempotent(async (event) => {
  appendFileSync(new URL('./runs.log', import.meta.url), '${name}\\n');
  const failedOnce = new URL('./${name}.failed', import.meta.url);
  if ('${name}' === 'flaky' && !existsSync(failedOnce)) { writeFileSync(failedOnce, ''); throw new Error('flaky failed'); }
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { branch: '${name}', customerId: event.customerId };
}, { persistenceStore, config });`;

const files = {
  'l1.mjs': `import { appendFileSync } from 'node:fs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { makeIdempotent, IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { fanOut } from '${helper}';
const lambda = new LambdaClient({});
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idempotency' });
const config = new IdempotencyConfig({ eventKeyJmesPath: 'headers."idempotency-key"' });
export const handler = makeIdempotent(async (event, context) => {
  appendFileSync(new URL('./runs.log', import.meta.url), 'l1\\n');
  const customerId = event.pathParameters.id;
  const branches = Object.fromEntries(['profile', 'orders', 'invoices', 'flaky'].map((f) => [f, { function: f, payload: { customerId } }]));
  const { values } = await fanOut(branches, context, { lambda, idempotencyKey: event.headers['idempotency-key'] });
  return { statusCode: 200, body: JSON.stringify(values) };
}, { persistenceStore, config });`,
  ...Object.fromEntries(['profile', 'orders', 'invoices', 'flaky'].map((name) => [`${name}.mjs`, l2(name)])),
};

test('idempotent replay: a retried aggregated request re-runs only the branch that failed, then replays the whole answer', async (t) => {
  const { session, dir } = await startDevApp(t, {
    functions: Object.fromEntries(
      ['l1', 'profile', 'orders', 'invoices', 'flaky'].map((name) => [
        name,
        { handler: `${name}.handler`, timeout: 10 },
      ]),
    ),
    files,
    config: {
      tables: { idempotency: { partitionKey: { name: 'id' }, ttl: 'expiration' } },
      http: { routes: { 'GET /customers/{id}/overview': 'l1' } },
    },
  });
  const runs = (): string[] => {
    const file = join(dir, 'runs.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).sort() : [];
  };
  const call = (key: string) =>
    fetch(`${session.httpUrl}/customers/c-7/overview`, { headers: { 'idempotency-key': key } });
  const records = () => session.runtime.records.list();
  const costOf = (since: number) =>
    records()
      .slice(since)
      .reduce((sum, r) => sum + r.costUsd, 0);

  // 1. flaky fails: the required branch fails the L1 (a 500); the other three branches completed and are stored.
  const first = await call('order-42');
  assert.equal(first.status, 500);
  assert.deepEqual(runs(), ['flaky', 'invoices', 'l1', 'orders', 'profile']);
  // 2. The client retries with the same key: the L1 runs again, but only flaky's body runs; the other three answer
  //    from the idempotency store.
  const before = records().length;
  const retry = await call('order-42');
  assert.equal(retry.status, 200);
  assert.deepEqual(await retry.json(), {
    profile: { branch: 'profile', customerId: 'c-7' },
    orders: { branch: 'orders', customerId: 'c-7' },
    invoices: { branch: 'invoices', customerId: 'c-7' },
    flaky: { branch: 'flaky', customerId: 'c-7' },
  });
  assert.deepEqual(runs(), ['flaky', 'flaky', 'invoices', 'l1', 'l1', 'orders', 'profile']);
  const retryCost = costOf(before);
  // 3. Once more (the client did not see the answer): the L1's stored response, no branch invoked at all.
  const afterRetry = records().length;
  const replay = await call('order-42');
  assert.equal(replay.status, 200);
  assert.equal(await replay.text(), JSON.stringify(await (await call('order-42')).json()));
  assert.deepEqual(runs(), ['flaky', 'flaky', 'invoices', 'l1', 'l1', 'orders', 'profile']);
  const replayed = records().slice(afterRetry);
  assert.deepEqual([...new Set(replayed.map((r) => r.functionName))], ['l1'], 'a replayed request invokes no branch');
  // A new key is a new request: everything runs.
  const fresh = await call('order-43');
  assert.equal(fresh.status, 200);
  assert.equal(runs().length, 7 + 5);
  t.diagnostic(
    `retry with idempotency cost $${retryCost.toExponential(3)} (three of four branches served from the store)`,
  );
});
