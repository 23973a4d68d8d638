import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DevSession } from '../../src/dev/devSession.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';
import { waitFor } from '../helpers/devProcess.js';
import { configFile } from '../helpers/tempApp.js';

const decoder = new TextDecoder();

describe("Powertools' idempotency on the local tables", () => {
  test('makeIdempotent with DynamoDBPersistenceLayer: a repeated event returns the stored result without running again', async (t) => {
    const { endpoint, dir } = await startDevApp(t, {
      functions: { charge: { handler: 'charge.handler', timeout: 10 } },
      files: {
        'charge.mjs': `import { appendFileSync } from 'node:fs';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idempotency' });
export const handler = makeIdempotent(async (event) => {
  appendFileSync(new URL('./runs.log', import.meta.url), event.paymentId + '\\n');
  await new Promise((resolve) => setTimeout(resolve, event.waitMs ?? 0));
  return { paymentId: event.paymentId, chargedAt: Date.now() };
}, { persistenceStore });`,
      },
      config: { tables: { idempotency: { partitionKey: { name: 'id' }, ttl: 'expiration' } } },
    });
    const lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const dynamo = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    cleanup(t, () => {
      lambda.destroy();
      dynamo.destroy();
    });
    const invoke = async (event: unknown) => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'charge', Payload: JSON.stringify(event) }));
      return { error: out.FunctionError, body: JSON.parse(decoder.decode(out.Payload)) as Record<string, unknown> };
    };
    const first = await invoke({ paymentId: 'p-1' });
    const again = await invoke({ paymentId: 'p-1' });
    assert.equal(first.error, undefined);
    assert.deepEqual(again.body, first.body, 'the stored result, not a second charge');
    const runs = (): string[] => readFileSync(join(dir, 'runs.log'), 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(runs(), ['p-1']);
    // Two at once with one key: one runs; the other finds the record in progress (via the condition's ALL_OLD item).
    // Two warm environments first, so the second call does not spend its head start on a cold start.
    await Promise.all([invoke({ paymentId: 'warm-1', waitMs: 200 }), invoke({ paymentId: 'warm-2', waitMs: 200 })]);
    const [a, b] = await Promise.all([
      invoke({ paymentId: 'p-2', waitMs: 1000 }),
      new Promise((resolve) => setTimeout(resolve, 200)).then(() => invoke({ paymentId: 'p-2', waitMs: 1000 })),
    ]);
    assert.equal(a.error, undefined);
    assert.equal(b.error, 'Unhandled');
    assert.equal(b.body.errorType, 'IdempotencyAlreadyInProgressError');
    assert.deepEqual(runs().sort(), ['p-1', 'p-2', 'warm-1', 'warm-2']);
    const stored = await dynamo.send(new ScanCommand({ TableName: 'idempotency' }));
    assert.deepEqual(
      stored.Items?.map((item) => item.status?.S),
      ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED'],
    );
    assert.ok(stored.Items?.every((item) => item.expiration?.N !== undefined));
  });
});

describe('startingPosition LATEST and a mapping across restarts', () => {
  test('LATEST skips what was written before the mapping existed; a restart resumes at the checkpoint', async (t) => {
    const { dir, session, endpoint } = await startDevApp(t, {
      functions: {},
      files: {
        'sink.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event) => { for (const r of event.Records) appendFileSync(new URL('./seen.log', import.meta.url), r.dynamodb.Keys.id.S + '\\n'); };`,
      },
      config: { tables: { items: { partitionKey: { name: 'id' }, stream: 'KEYS_ONLY' } } },
    });
    const put = async (url: string, id: string) => {
      const client = new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
      await client.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: id } } }));
      client.destroy();
    };
    await put(endpoint, 'before-mapping');
    await session.stop();
    await writeFile(
      join(dir, 'tributary.config.ts'),
      configFile({
        name: 'edge-app',
        tables: { items: { partitionKey: { name: 'id' }, stream: 'KEYS_ONLY' } },
        functions: { sink: { handler: 'sink.handler', events: [{ stream: 'items', startingPosition: 'LATEST' }] } },
      }),
    );
    const seen = (): string[] => {
      const file = join(dir, 'seen.log');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    };
    const restart = async () => {
      const next = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: false, wsPort: false, watch: false });
      cleanup(t, () => next.stop());
      return next;
    };
    const second = await restart();
    await put(second.endpointUrl ?? '', 'after-mapping');
    assert.ok(await waitFor(() => seen().includes('after-mapping'), 10_000));
    await second.stop();
    const third = await restart();
    await put(third.endpointUrl ?? '', 'after-restart');
    assert.ok(await waitFor(() => seen().includes('after-restart'), 10_000));
    assert.deepEqual(seen(), ['after-mapping', 'after-restart']);
  });
});
