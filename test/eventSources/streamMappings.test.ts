import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas/dynamodb';
import { DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { ManualClock } from '../../src/shared/clock.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';
import { waitFor } from '../helpers/devProcess.js';

/**
 * The function under test logs every batch it receives to calls.ndjson, then behaves as the records ask:
 * `poison` throws; `failTimes: N` throws the first N times the record is seen; `partialOnce` reports the record as
 * failed the first time; `respond` returns a malformed partial response the first time.
 */
const SINK = `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
const log = new URL('./calls.ndjson', import.meta.url);
const seenBefore = (id) => existsSync(log) ? readFileSync(log, 'utf8').split('\\n').filter((l) => l.includes('"' + id + '"')).length : 0;
export const handler = async (event) => {
  const ids = event.Records.map((r) => r.dynamodb.Keys.id.S);
  const earlier = Object.fromEntries(ids.map((id) => [id, seenBefore(id)]));
  appendFileSync(log, JSON.stringify({ ids, event }) + '\\n');
  const failures = [];
  for (const record of event.Records) {
    const image = record.dynamodb.NewImage ?? {};
    const id = record.dynamodb.Keys.id.S;
    if (image.poison) throw new Error('poison record ' + id);
    if (image.failTimes && earlier[id] < Number(image.failTimes.N)) throw new Error('not yet ' + id);
    if (image.partialOnce && earlier[id] === 0) failures.push({ itemIdentifier: record.dynamodb.SequenceNumber });
    if (image.respond && earlier[id] === 0) {
      if (image.respond.S === 'empty-id') return { batchItemFailures: [{ itemIdentifier: '' }] };
      if (image.respond.S === 'bad-key') return { batchItemFailures: [{ id: record.dynamodb.SequenceNumber }] };
      if (image.respond.S === 'null-list') return { batchItemFailures: null };
    }
  }
  return { batchItemFailures: failures };
};`;

interface Call {
  ids: string[];
  event: { Records: { dynamodb: { SequenceNumber: string } }[] };
}

async function start(
  t: import('node:test').TestContext,
  mapping: Record<string, unknown>,
  options: { retryDelayMs?: number; clock?: ManualClock } = {},
) {
  const clock = options.clock ?? new ManualClock(Date.parse('2026-12-05T10:00:00Z'));
  const app = await startDevApp(t, {
    clock,
    functions: {
      sink: { handler: 'sink.handler', events: [{ stream: 'items', startingPosition: 'TRIM_HORIZON', ...mapping }] },
    },
    files: { 'sink.mjs': SINK },
    config: {
      tables: { items: { partitionKey: { name: 'id' }, stream: 'NEW_AND_OLD_IMAGES' } },
      lake: { buckets: ['failures'] },
    },
    session: { streamRetryDelayMs: () => options.retryDelayMs ?? 0 },
  });
  const client = new DynamoDBClient({ endpoint: app.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  cleanup(t, () => client.destroy());
  const calls = (): Call[] => {
    const file = join(app.dir, 'calls.ndjson');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  };
  const failureRecords = (): Record<string, unknown>[] => {
    const root = join(app.dir, '.tributary', 's3', 'failures');
    const walk = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir).flatMap((name) => {
            const path = join(dir, name);
            return statSync(path).isDirectory() ? walk(path) : [path];
          })
        : [];
    return walk(root).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
  };
  const put = (id: string, attributes: Record<string, unknown> = {}) =>
    client.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: id }, ...attributes } as never }));
  // One transaction: its changes reach the stream together, so the poller sees them as one batch.
  const putAll = (items: [string, Record<string, unknown>?][]) =>
    client.send(
      new TransactWriteItemsCommand({
        TransactItems: items.map(([id, attributes]) => ({
          Put: { TableName: 'items', Item: { id: { S: id }, ...attributes } as never },
        })),
      }),
    );
  const until = async (what: string, done: () => boolean): Promise<void> => {
    assert.ok(await waitFor(done, 10_000), `timed out waiting for ${what}`);
  };
  return { ...app, clock, client, calls, failureRecords, put, putAll, until };
}

const delivered = (calls: Call[]): string[] => calls.flatMap((call) => call.ids);

describe('event source mappings on table streams', () => {
  test('batches are Lambda DynamoDB events (Powertools schema), in order, by batch size and batching window', async (t) => {
    const { put, calls, until, clock, session } = await start(t, { batchSize: 3, maximumBatchingWindowInSeconds: 5 });
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await put(id);
    await until('two full batches', () => calls().length === 2);
    assert.deepEqual(
      calls().map((c) => c.ids),
      [
        ['a', 'b', 'c'],
        ['d', 'e', 'f'],
      ],
    );
    // 'g' waits for the window (5 s of the injected clock). A due window starts the invocation within the same turn of
    // the event loop (the check below sees it at 5 s), so one turn after 4 s shows that it is not due yet.
    const sinkInvocations = () =>
      session.runtime.concurrency('sink') + session.runtime.records.list({ functionName: 'sink' }).length;
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    clock.advance(4_000);
    await turn();
    assert.equal(sinkInvocations(), 2);
    clock.advance(1_000);
    await turn();
    assert.equal(sinkInvocations(), 3, 'the window closed: the batch is being invoked');
    await until('the window to close', () => calls().length === 3);
    assert.deepEqual(calls()[2]?.ids, ['g']);
    for (const call of calls()) {
      const parsed = DynamoDBStreamSchema.safeParse(call.event);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    }
    const first = calls()[0]?.event.Records[0] as Record<string, unknown>;
    assert.match(String(first.eventSourceARN), /^arn:aws:dynamodb:us-east-1:000000000000:table\/items\/stream\//);
    assert.equal(session.mappings?.size, 1);
  });

  test('a failing batch is retried until it succeeds, and blocks the records behind it meanwhile', async (t) => {
    const { put, calls, until } = await start(t, { batchSize: 10 });
    await put('flaky', { failTimes: { N: '2' } });
    await until('three attempts', () => calls().length === 3);
    await put('next');
    await until('the next record', () => delivered(calls()).includes('next'));
    assert.deepEqual(
      calls().map((c) => c.ids),
      [['flaky'], ['flaky'], ['flaky'], ['next']],
    );
  });

  test('a poison record without bisect: the whole batch retried maximumRetryAttempts times, then its metadata to S3', async (t) => {
    const { putAll, put, calls, until, failureRecords } = await start(t, {
      batchSize: 4,
      maximumRetryAttempts: 2,
      onFailure: { bucket: 'failures' },
    });
    await putAll([['a'], ['b'], ['p', { poison: { BOOL: true } }], ['d']]);
    await until('the failure record', () => failureRecords().length === 1);
    await put('after');
    await until('processing to go on', () => delivered(calls()).includes('after'));
    const batches = calls().map((c) => c.ids);
    assert.deepEqual(batches.slice(0, 3), [
      ['a', 'b', 'p', 'd'],
      ['a', 'b', 'p', 'd'],
      ['a', 'b', 'p', 'd'],
    ]);
    const [failure] = failureRecords() as [Record<string, Record<string, unknown>>];
    assert.equal(failure.requestContext?.condition, 'RetryAttemptsExhausted');
    assert.equal(failure.requestContext?.approximateInvokeCount, 3);
    assert.equal(failure.responseContext?.functionError, 'Unhandled');
    assert.equal(failure.DDBStreamBatchInfo?.batchSize, 4);
    assert.equal(
      failure.DDBStreamBatchInfo?.startSequenceNumber,
      calls()[0]?.event.Records[0]?.dynamodb.SequenceNumber,
    );
    assert.match(String(failure.DDBStreamBatchInfo?.streamArn), /table\/items\/stream/);
  });

  test('a poison record with bisect: the batch is halved until the poison record alone is given up on', async (t) => {
    const { putAll, calls, until, failureRecords } = await start(t, {
      batchSize: 4,
      maximumRetryAttempts: 1,
      bisectBatchOnFunctionError: true,
      onFailure: { bucket: 'failures', prefix: 'esm/' },
    });
    await putAll([['a'], ['b'], ['p', { poison: { BOOL: true } }], ['d']]);
    await until('d to be delivered', () => delivered(calls()).includes('d') && calls().at(-1)?.ids.join() === 'd');
    assert.deepEqual(
      calls().map((c) => c.ids.join('')),
      ['abpd', 'ab', 'pd', 'p', 'p', 'd'],
    );
    const [failure] = failureRecords() as [Record<string, Record<string, unknown>>];
    assert.equal(failure.DDBStreamBatchInfo?.batchSize, 1);
    assert.equal(failure.requestContext?.approximateInvokeCount, 2);
  });

  test('partial batch responses resume at the lowest failed record; malformed ones fail the whole batch', async (t) => {
    const { putAll, calls, until } = await start(t, {
      batchSize: 4,
      functionResponseTypes: ['ReportBatchItemFailures'],
    });
    await putAll([['a'], ['b', { partialOnce: { BOOL: true } }], ['c'], ['d', { partialOnce: { BOOL: true } }]]);
    await until('the retry', () => calls().length === 2);
    assert.deepEqual(
      calls().map((c) => c.ids.join('')),
      ['abcd', 'bcd'],
    );
    for (const respond of ['empty-id', 'bad-key']) {
      const before = calls().length;
      await putAll([[`${respond}-1`, { respond: { S: respond } }], [`${respond}-2`]]);
      await until(`the retry after ${respond}`, () => calls().length === before + 2);
      assert.deepEqual(calls().at(-1)?.ids, [`${respond}-1`, `${respond}-2`], respond);
    }
    const before = calls().length;
    await putAll([['n-1', { respond: { S: 'null-list' } }], ['n-2']]);
    await until('null list delivery', () => calls().length === before + 1);
    await putAll([['last']]);
    await until('the next batch', () => delivered(calls()).includes('last'));
    assert.equal(calls().length, before + 2, 'a null batchItemFailures list is complete success');
  });

  test('records older than maximumRecordAgeInSeconds are given up on (on the injected clock)', async (t) => {
    const { put, calls, until, failureRecords, clock } = await start(
      t,
      { maximumRecordAgeInSeconds: 60, onFailure: { bucket: 'failures' } },
      { retryDelayMs: 30_000 },
    );
    await put('old', { poison: { BOOL: true } });
    await until('the first attempt', () => calls().length === 1);
    clock.advance(30_000);
    await until('the second attempt', () => calls().length === 2);
    clock.advance(31_000);
    await until('the age limit', () => failureRecords().length === 1);
    assert.equal(calls().length, 2, 'no third attempt');
    const [failure] = failureRecords() as [Record<string, Record<string, unknown>>];
    assert.equal(failure.requestContext?.condition, 'RecordAgeExceeded');
  });

  test('filters: equals, prefix, numeric, exists and anything-but select the records delivered', async (t) => {
    const { putAll, put, calls, until } = await start(t, {
      filterCriteria: {
        filters: [
          { pattern: { eventName: ['INSERT'], dynamodb: { NewImage: { status: { S: [{ prefix: 'pa' }] } } } } },
          { pattern: { dynamodb: { NewImage: { total: { N: [{ numeric: ['>', 100, '<=', 500] }] } } } } },
          {
            pattern: {
              dynamodb: { NewImage: { vip: [{ exists: true }], tier: { S: [{ 'anything-but': ['basic'] }] } } },
            },
          },
        ],
      },
    });
    await putAll([
      ['paid', { status: { S: 'paid' } }],
      ['placed', { status: { S: 'placed' } }],
      ['big', { total: { N: '250' } }],
      ['huge', { total: { N: '900' } }],
      ['vip-gold', { vip: { BOOL: true }, tier: { S: 'gold' } }],
      ['vip-basic', { vip: { BOOL: true }, tier: { S: 'basic' } }],
    ]);
    await put('paid', { status: { S: 'paid' }, note: { S: 'a MODIFY does not match the first filter' } });
    await put('end', { total: { N: '101' } });
    await until('the last matching record', () => delivered(calls()).includes('end'));
    assert.deepEqual(delivered(calls()), ['paid', 'big', 'vip-gold', 'end']);
  });

  test('a disabled mapping does not poll', async (t) => {
    const { put, calls, session } = await start(t, { enabled: false });
    await put('ignored');
    await session.tables.sweepTtl(); // a round trip through the tables: the write is on the stream by now
    assert.equal(session.mappings?.size ?? 0, 0);
    assert.deepEqual(calls(), []);
  });

  test('parallelizationFactor runs lanes concurrently and keeps each item in order', async (t) => {
    const { put, calls, until } = await start(t, { parallelizationFactor: 4, batchSize: 5 });
    for (let round = 0; round < 5; round += 1)
      for (let item = 0; item < 8; item += 1) await put(`item-${item}`, { round: { N: String(round) } });
    await until('every change', () => delivered(calls()).length === 40);
    const rounds = new Map<string, number[]>();
    for (const call of calls())
      for (const record of call.event.Records as unknown as {
        dynamodb: { Keys: { id: { S: string } }; NewImage: { round: { N: string } } };
      }[])
        rounds.set(record.dynamodb.Keys.id.S, [
          ...(rounds.get(record.dynamodb.Keys.id.S) ?? []),
          Number(record.dynamodb.NewImage.round.N),
        ]);
    for (const [id, seen] of rounds) assert.deepEqual(seen, [0, 1, 2, 3, 4], id);
    assert.equal(rounds.size, 8);
  });
});
