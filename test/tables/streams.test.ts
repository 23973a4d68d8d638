import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { ManualClock } from '../../src/shared/clock.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';

const VIEW_TYPES = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] as const;

async function start(t: import('node:test').TestContext) {
  const clock = new ManualClock(Date.parse('2026-12-05T10:00:00Z'));
  const tables = Object.fromEntries(
    VIEW_TYPES.map((view) => [`items_${view.toLowerCase()}`, { partitionKey: { name: 'id' }, stream: view }]),
  );
  const app = await startDevApp(t, {
    clock,
    functions: {},
    files: {},
    config: {
      tables: { ...tables, expiring: { partitionKey: { name: 'id' }, stream: 'OLD_IMAGE', ttl: 'expiresAt' } },
    },
  });
  const options = { endpoint: app.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  const client = new DynamoDBClient(options);
  const streams = new DynamoDBStreamsClient(options);
  cleanup(t, () => {
    client.destroy();
    streams.destroy();
  });
  const streamOf = async (table: string) => {
    const listed = await streams.send(new ListStreamsCommand({ TableName: table }));
    const arn = listed.Streams?.[0]?.StreamArn ?? '';
    const described = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const shardId = described.StreamDescription?.Shards?.[0]?.ShardId ?? '';
    return { arn, shardId, description: described.StreamDescription };
  };
  const iterator = async (table: string, type: ShardIteratorType = 'TRIM_HORIZON', sequence?: string) => {
    const { arn, shardId } = await streamOf(table);
    const answer = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(sequence === undefined ? {} : { SequenceNumber: sequence }),
      }),
    );
    return answer.ShardIterator ?? '';
  };
  const readAll = async (table: string): Promise<_Record[]> => {
    const records: _Record[] = [];
    let next: string | undefined = await iterator(table);
    while (next !== undefined) {
      const page: GetRecordsCommandOutput = await streams.send(
        new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }),
      );
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      next = page.NextShardIterator;
    }
    return records;
  };
  return { ...app, clock, client, streams, streamOf, iterator, readAll };
}

describe('table streams (DynamoDB Streams API through @aws-sdk/client-dynamodb-streams)', () => {
  test('each view type: one record per change that modified the item, none for writes that changed nothing', async (t) => {
    const { client, readAll, streamOf } = await start(t);
    for (const view of VIEW_TYPES) {
      const table = `items_${view.toLowerCase()}`;
      const item = { id: { S: 'a' }, n: { N: '1' }, tags: { SS: ['x', 'y'] } };
      await client.send(new PutItemCommand({ TableName: table, Item: item }));
      // The same item again (sets in another order): no change, no record.
      await client.send(new PutItemCommand({ TableName: table, Item: { ...item, tags: { SS: ['y', 'x'] } } }));
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: 'a' } },
          UpdateExpression: 'SET n = :two',
          ExpressionAttributeValues: { ':two': { N: '2' } },
        }),
      );
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: 'a' } },
          UpdateExpression: 'SET n = :two',
          ExpressionAttributeValues: { ':two': { N: '2' } },
        }),
      );
      await client.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'a' } } }));
      await client.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'a' } } }));
      const records = await readAll(table);
      assert.deepEqual(
        records.map((r) => r.eventName),
        ['INSERT', 'MODIFY', 'REMOVE'],
        view,
      );
      const [insert, modify, remove] = records as [_Record, _Record, _Record];
      const { arn, description } = await streamOf(table);
      assert.equal(description?.StreamViewType, view);
      assert.equal(description?.StreamStatus, 'ENABLED');
      assert.equal(description?.TableName, table);
      assert.match(arn, new RegExp(`table/${table}/stream/`));
      for (const record of records) {
        assert.equal(record.eventSource, 'aws:dynamodb');
        assert.equal(record.eventVersion, '1.1');
        assert.equal(record.awsRegion, 'us-east-1');
        assert.match(record.eventID ?? '', /^[0-9a-f]{32}$/);
        assert.deepEqual(record.dynamodb?.Keys, { id: { S: 'a' } });
        assert.equal(record.dynamodb?.StreamViewType, view);
        assert.ok((record.dynamodb?.SizeBytes ?? 0) > 0);
        assert.equal(record.dynamodb?.ApproximateCreationDateTime?.toISOString(), '2026-12-05T10:00:00.000Z');
      }
      const seqs = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
      assert.ok(
        seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] ?? 0n)),
        'sequence numbers grow',
      );
      const withNew = view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
      const withOld = view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
      assert.equal(insert.dynamodb?.NewImage?.n?.N, withNew ? '1' : undefined, view);
      assert.equal(insert.dynamodb?.OldImage, undefined);
      assert.equal(modify.dynamodb?.NewImage?.n?.N, withNew ? '2' : undefined, view);
      assert.equal(modify.dynamodb?.OldImage?.n?.N, withOld ? '1' : undefined, view);
      assert.equal(remove.dynamodb?.NewImage, undefined);
      assert.equal(remove.dynamodb?.OldImage?.n?.N, withOld ? '2' : undefined, view);
      assert.equal(remove.userIdentity, undefined);
    }
  });

  test('iterators: LATEST, AT_ and AFTER_SEQUENCE_NUMBER, Limit pages, expiry after 15 minutes', async (t) => {
    const { client, streams, iterator, clock } = await start(t);
    const table = 'items_keys_only';
    const put = (id: string) => client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
    await put('1');
    await put('2');
    const latest = await iterator(table, 'LATEST');
    await put('3');
    const afterLatest = await streams.send(new GetRecordsCommand({ ShardIterator: latest }));
    assert.deepEqual(
      afterLatest.Records?.map((r) => r.dynamodb?.Keys?.id?.S),
      ['3'],
    );
    const firstPage = await streams.send(new GetRecordsCommand({ ShardIterator: await iterator(table), Limit: 2 }));
    assert.deepEqual(
      firstPage.Records?.map((r) => r.dynamodb?.Keys?.id?.S),
      ['1', '2'],
    );
    const secondPage = await streams.send(new GetRecordsCommand({ ShardIterator: firstPage.NextShardIterator }));
    assert.deepEqual(
      secondPage.Records?.map((r) => r.dynamodb?.Keys?.id?.S),
      ['3'],
    );
    const second = firstPage.Records?.[1]?.dynamodb?.SequenceNumber;
    const at = await streams.send(
      new GetRecordsCommand({ ShardIterator: await iterator(table, 'AT_SEQUENCE_NUMBER', second) }),
    );
    assert.deepEqual(
      at.Records?.map((r) => r.dynamodb?.Keys?.id?.S),
      ['2', '3'],
    );
    const after = await streams.send(
      new GetRecordsCommand({ ShardIterator: await iterator(table, 'AFTER_SEQUENCE_NUMBER', second) }),
    );
    assert.deepEqual(
      after.Records?.map((r) => r.dynamodb?.Keys?.id?.S),
      ['3'],
    );
    const old = await iterator(table);
    clock.advance(15 * 60 * 1000 + 1);
    await assert.rejects(streams.send(new GetRecordsCommand({ ShardIterator: old })), ExpiredIteratorException);
  });

  test('records are kept 24 hours; a disabled stream closes its shard', async (t) => {
    const { client, streams, iterator, clock, session, streamOf } = await start(t);
    const table = 'items_new_image';
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'old' } } }));
    const first = (await streams.send(new GetRecordsCommand({ ShardIterator: await iterator(table) }))).Records?.[0];
    clock.advance(24 * 60 * 60 * 1000 + 1000);
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'new' } } }));
    await session.tables.sweepTtl();
    const kept = await streams.send(new GetRecordsCommand({ ShardIterator: await iterator(table) }));
    assert.deepEqual(
      kept.Records?.map((r) => r.dynamodb?.Keys?.id?.S),
      ['new'],
    );
    await assert.rejects(
      iterator(table, 'AT_SEQUENCE_NUMBER', first?.dynamodb?.SequenceNumber),
      TrimmedDataAccessException,
    );
    const position = await iterator(table);
    await client.send(new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: false } }));
    const { description } = await streamOf(table);
    assert.equal(description?.StreamStatus, 'DISABLED');
    assert.ok(description?.Shards?.[0]?.SequenceNumberRange?.EndingSequenceNumber);
    const last = await streams.send(new GetRecordsCommand({ ShardIterator: position }));
    assert.equal(last.Records?.length, 1);
    assert.equal(last.NextShardIterator, undefined, 'the closed shard has no next iterator');
  });

  test('TTL deletes expired items as the service, and the REMOVE record says so', async (t) => {
    const { client, session, clock, readAll } = await start(t);
    const now = Math.floor(clock.now() / 1000);
    await client.send(
      new PutItemCommand({ TableName: 'expiring', Item: { id: { S: 'gone' }, expiresAt: { N: String(now - 1) } } }),
    );
    await client.send(
      new PutItemCommand({ TableName: 'expiring', Item: { id: { S: 'later' }, expiresAt: { N: String(now + 3600) } } }),
    );
    await client.send(new PutItemCommand({ TableName: 'expiring', Item: { id: { S: 'never' } } }));
    assert.equal(await session.tables.sweepTtl(), 1);
    const left = await client.send(new ScanCommand({ TableName: 'expiring' }));
    assert.deepEqual(left.Items?.map((item) => item.id?.S).sort(), ['later', 'never']);
    const removal = (await readAll('expiring')).find((r) => r.eventName === 'REMOVE');
    assert.deepEqual(removal?.userIdentity, { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
    assert.equal(removal?.dynamodb?.OldImage?.id?.S, 'gone');
  });

  test('many writers on few items: the records reconstruct every item exactly (none lost, none twice)', async (t) => {
    const { client, readAll, session } = await start(t);
    const table = 'items_new_and_old_images';
    const items = 8;
    const writes = 1200;
    const queue = Array.from({ length: writes }, (_, i) => i);
    const worker = async (): Promise<void> => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const id = `item-${i % items}`;
        if (i % 50 === 49) {
          await client.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: id } } }));
        } else {
          await client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { id: { S: id } },
              UpdateExpression: 'ADD n :one SET lastWrite = :i',
              ExpressionAttributeValues: { ':one': { N: '1' }, ':i': { N: String(i) } },
            }),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: 48 }, worker));
    const records = await readAll(table);
    const state = new Map<string, Record<string, unknown> | undefined>();
    for (const record of records) {
      const id = record.dynamodb?.Keys?.id?.S ?? '';
      // Each record's old image is exactly the state the previous record of the item left.
      assert.deepEqual(record.dynamodb?.OldImage, state.get(id), `chain of ${id}`);
      state.set(id, record.dynamodb?.NewImage);
    }
    const final = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    for (let i = 0; i < items; i += 1) {
      const id = `item-${i}`;
      assert.deepEqual(
        state.get(id),
        final.Items?.find((item) => item.id?.S === id),
        `final state of ${id}`,
      );
    }
    const deletesOfPresent = records.filter((r) => r.eventName === 'REMOVE').length;
    const updates = writes - writes / 50;
    assert.equal(records.length, updates + deletesOfPresent, 'one record per update, one per delete that removed');
    assert.equal(session.tables.locks.size, 0, 'no item lock is left held or waited for');
  });
});
