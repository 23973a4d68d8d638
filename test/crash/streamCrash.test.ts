import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { TEST_CREDENTIALS } from '../helpers/devApp.js';
import { startDevProcess, waitFor } from '../helpers/devProcess.js';
import { configFile, tempApp } from '../helpers/tempApp.js';

const ITEMS = 600;
const BATCH_SIZE = 10;

test('kill -9 while a mapping processes a stream: after restart it resumes at its checkpoint', {
  timeout: 120_000,
}, async (t) => {
  const dir = await tempApp(t, {
    'package.json': '{"type":"module"}',
    // Each batch takes ~30 ms and is logged once finished: what a later run repeats shows where it resumed.
    'sink.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 30));
  appendFileSync(new URL('./processed.ndjson', import.meta.url), JSON.stringify(event.Records.map((r) => r.dynamodb.Keys.id.S)) + '\\n');
};`,
    'tributary.config.ts': configFile({
      name: 'stream-crash',
      tables: { items: { partitionKey: { name: 'id' }, stream: 'KEYS_ONLY' } },
      functions: {
        sink: {
          handler: 'sink.handler',
          events: [{ stream: 'items', startingPosition: 'TRIM_HORIZON', batchSize: BATCH_SIZE }],
        },
      },
    }),
  });
  const batches = (): string[][] => {
    const file = join(dir, 'processed.ndjson');
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as string[])
      : [];
  };
  const first = await startDevProcess(dir);
  t.after(() => first.child.kill('SIGKILL'));
  const client = new DynamoDBClient({ endpoint: first.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  for (let i = 0; i < ITEMS; i += 25) {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: Array.from({ length: 25 }, (_, j) => ({
          Put: { TableName: 'items', Item: { id: { S: `item-${String(i + j).padStart(4, '0')}` } } },
        })),
      }),
    );
  }
  client.destroy();
  assert.ok(await waitFor(() => batches().length >= 10, 20_000), 'the mapping started processing');
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  const before = batches().flat();
  assert.ok(before.length < ITEMS, `the kill came before the end (${before.length} processed)`);

  const second = await startDevProcess(dir);
  t.after(() => second.child.kill('SIGKILL'));
  const all = await waitFor(() => new Set(batches().flat()).size === ITEMS, 30_000);
  second.child.kill('SIGINT');
  await once(second.child, 'exit');
  const after = batches().flat().slice(before.length);
  const repeated = after.filter((id) => before.includes(id));
  t.diagnostic(`${before.length} processed before kill -9; ${after.length} after restart; ${repeated.length} repeated`);
  assert.ok(all, 'every change was processed');
  // At most the batch in flight when the process died runs again; nothing before the checkpoint does.
  assert.ok(repeated.length <= BATCH_SIZE, `repeated ${repeated.length}`);
  const processed = batches().flat();
  assert.deepEqual(
    [...new Set(processed)].sort(),
    Array.from({ length: ITEMS }, (_, i) => `item-${String(i).padStart(4, '0')}`),
  );
});
