import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { QueryCommand as DocQuery, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DevSession } from '../../src/dev/devSession.js';
import { ManualClock } from '../../src/shared/clock.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';

const tables = {
  orders: {
    partitionKey: { name: 'customerId', type: 'S' },
    sortKey: { name: 'orderId', type: 'S' },
    globalIndexes: { byStatus: { partitionKey: { name: 'status', type: 'S' } } },
    stream: 'NEW_AND_OLD_IMAGES',
    ttl: 'expiresAt',
  },
  counters: { partitionKey: { name: 'id', type: 'S' } },
};

async function start(t: import('node:test').TestContext, clock = new ManualClock(Date.parse('2026-12-05T10:00:00Z'))) {
  const app = await startDevApp(t, { clock, functions: {}, files: {}, config: { tables } });
  const client = new DynamoDBClient({
    endpoint: app.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const doc = DynamoDBDocumentClient.from(client);
  cleanup(t, () => client.destroy());
  return { ...app, client, doc, clock };
}

const order = (customerId: string, orderId: string, extra: Record<string, unknown> = {}) => ({
  customerId: { S: customerId },
  orderId: { S: orderId },
  status: { S: 'placed' },
  total: { N: '10' },
  ...extra,
});

describe('the DynamoDB API through @aws-sdk/client-dynamodb', () => {
  test('declared tables exist at start with their keys, index, stream and TTL', async (t) => {
    const { client } = await start(t);
    const listed = await client.send(new ListTablesCommand({}));
    assert.deepEqual(listed.TableNames, ['counters', 'orders']);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'orders' }));
    assert.equal(Table?.TableStatus, 'ACTIVE');
    assert.deepEqual(
      Table?.KeySchema?.map((k) => [k.AttributeName, k.KeyType]),
      [
        ['customerId', 'HASH'],
        ['orderId', 'RANGE'],
      ],
    );
    assert.equal(Table?.GlobalSecondaryIndexes?.[0]?.IndexName, 'byStatus');
    assert.deepEqual(Table?.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    assert.match(
      Table?.LatestStreamArn ?? '',
      /^arn:aws:dynamodb:us-east-1:000000000000:table\/orders\/stream\/2026-12-05T10:00:00\.000$/,
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'orders' }));
    assert.deepEqual(ttl.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    const none = await client.send(new DescribeTableCommand({ TableName: 'counters' }));
    assert.equal(none.Table?.StreamSpecification, undefined);
  });

  test('PutItem, GetItem, UpdateItem and DeleteItem with conditions, expressions and ReturnValues', async (t) => {
    const { client } = await start(t);
    const put = await client.send(new PutItemCommand({ TableName: 'orders', Item: order('c-1', 'o-1') }));
    assert.equal(put.Attributes, undefined);
    const replaced = await client.send(
      new PutItemCommand({
        TableName: 'orders',
        Item: order('c-1', 'o-1', { total: { N: '12' } }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    assert.equal(replaced.Attributes?.total?.N, '10');
    await assert.rejects(
      client.send(
        new PutItemCommand({
          TableName: 'orders',
          Item: order('c-1', 'o-1'),
          ConditionExpression: 'attribute_not_exists(customerId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof ConditionalCheckFailedException);
        assert.equal(error.Item?.total?.N, '12');
        return true;
      },
    );
    const updated = await client.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } },
        UpdateExpression: 'SET #s = :s, #t = #t + :d REMOVE expiresAt ADD tags :t',
        ConditionExpression: '#s = :placed',
        ExpressionAttributeNames: { '#s': 'status', '#t': 'total' },
        ExpressionAttributeValues: {
          ':s': { S: 'paid' },
          ':d': { N: '3' },
          ':placed': { S: 'placed' },
          ':t': { SS: ['gift'] },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.deepEqual(updated.Attributes, { status: { S: 'paid' }, total: { N: '15' }, tags: { SS: ['gift'] } });
    const old = await client.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } },
        UpdateExpression: 'SET note = :n',
        ExpressionAttributeValues: { ':n': { S: 'hi' } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    assert.equal(old.Attributes?.note, undefined);
    assert.equal(old.Attributes?.status?.S, 'paid');
    const got = await client.send(
      new GetItemCommand({
        TableName: 'orders',
        Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } },
        ProjectionExpression: '#s, note',
        ExpressionAttributeNames: { '#s': 'status' },
        ConsistentRead: true,
      }),
    );
    assert.deepEqual(got.Item, { status: { S: 'paid' }, note: { S: 'hi' } });
    await assert.rejects(
      client.send(
        new DeleteItemCommand({
          TableName: 'orders',
          Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } },
          ConditionExpression: '#t > :max',
          ExpressionAttributeNames: { '#t': 'total' },
          ExpressionAttributeValues: { ':max': { N: '100' } },
        }),
      ),
      ConditionalCheckFailedException,
    );
    const deleted = await client.send(
      new DeleteItemCommand({
        TableName: 'orders',
        Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    assert.equal(deleted.Attributes?.note?.S, 'hi');
    const gone = await client.send(
      new GetItemCommand({ TableName: 'orders', Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } } }),
    );
    assert.equal(gone.Item, undefined);
    await assert.rejects(
      client.send(new GetItemCommand({ TableName: 'nope', Key: { id: { S: 'x' } } })),
      ResourceNotFoundException,
    );
  });

  test('Query and Scan with key conditions, filters, an index and pagination', async (t) => {
    const { client } = await start(t);
    for (let i = 0; i < 25; i += 1)
      await client.send(
        new PutItemCommand({
          TableName: 'orders',
          Item: order(i < 20 ? 'c-1' : 'c-2', `o-${String(i).padStart(2, '0')}`, {
            total: { N: String(i) },
            status: { S: i % 2 === 0 ? 'paid' : 'placed' },
          }),
        }),
      );
    const pages: string[][] = [];
    let from: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: 'orders',
          KeyConditionExpression: 'customerId = :c AND begins_with(orderId, :p)',
          FilterExpression: '#t >= :min',
          ExpressionAttributeNames: { '#t': 'total' },
          ExpressionAttributeValues: { ':c': { S: 'c-1' }, ':p': { S: 'o-' }, ':min': { N: '5' } },
          Limit: 6,
          ScanIndexForward: false,
          ...(from === undefined ? {} : { ExclusiveStartKey: from }),
        }),
      );
      pages.push((page.Items ?? []).map((item) => item.orderId?.S ?? ''));
      from = page.LastEvaluatedKey;
    } while (from !== undefined);
    assert.deepEqual(pages.flat(), [
      'o-19',
      'o-18',
      'o-17',
      'o-16',
      'o-15',
      'o-14',
      'o-13',
      'o-12',
      'o-11',
      'o-10',
      'o-09',
      'o-08',
      'o-07',
      'o-06',
      'o-05',
    ]);
    assert.ok(pages.length >= 4, 'Limit pages the key range');
    const paid = await client.send(
      new QueryCommand({
        TableName: 'orders',
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'paid' } },
        Select: 'COUNT',
      }),
    );
    assert.equal(paid.Count, 13);
    const scanned = await client.send(
      new ScanCommand({
        TableName: 'orders',
        FilterExpression: 'customerId = :c',
        ExpressionAttributeValues: { ':c': { S: 'c-2' } },
      }),
    );
    assert.equal(scanned.Count, 5);
    assert.equal(scanned.ScannedCount, 25);
  });

  test('BatchWriteItem and BatchGetItem', async (t) => {
    const { client } = await start(t);
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          orders: [{ PutRequest: { Item: order('c-1', 'o-1') } }, { PutRequest: { Item: order('c-1', 'o-2') } }],
          counters: [{ PutRequest: { Item: { id: { S: 'a' }, n: { N: '1' } } } }],
        },
      }),
    );
    const written = await client.send(
      new BatchWriteItemCommand({
        RequestItems: { orders: [{ DeleteRequest: { Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-2' } } } }] },
      }),
    );
    assert.deepEqual(written.UnprocessedItems, {});
    const got = await client.send(
      new BatchGetItemCommand({
        RequestItems: {
          orders: {
            Keys: [
              { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } },
              { customerId: { S: 'c-1' }, orderId: { S: 'o-2' } },
            ],
          },
          counters: { Keys: [{ id: { S: 'a' } }] },
        },
      }),
    );
    assert.equal(got.Responses?.orders?.length, 1);
    assert.equal(got.Responses?.counters?.[0]?.n?.N, '1');
    await assert.rejects(
      client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            counters: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { id: { S: `k${i}` } } } })),
          },
        }),
      ),
      /25/,
    );
  });

  test('TransactWriteItems applies all or nothing, with reasons and idempotency; TransactGetItems reads', async (t) => {
    const { client } = await start(t);
    await client.send(new PutItemCommand({ TableName: 'counters', Item: { id: { S: 'stock' }, n: { N: '1' } } }));
    const buy = (orderId: string, token?: string) =>
      new TransactWriteItemsCommand({
        ...(token === undefined ? {} : { ClientRequestToken: token }),
        TransactItems: [
          {
            Update: {
              TableName: 'counters',
              Key: { id: { S: 'stock' } },
              UpdateExpression: 'SET n = n - :one',
              ConditionExpression: 'n >= :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
          {
            Put: {
              TableName: 'orders',
              Item: order('c-1', orderId),
              ConditionExpression: 'attribute_not_exists(orderId)',
            },
          },
        ],
      });
    await client.send(buy('o-1', 'token-1'));
    await client.send(buy('o-1', 'token-1')); // the same token: answered again, not applied twice
    await assert.rejects(client.send(buy('o-2')), (error: unknown) => {
      assert.ok(error instanceof TransactionCanceledException);
      assert.deepEqual(
        error.CancellationReasons?.map((r) => r.Code),
        ['ConditionalCheckFailed', 'None'],
      );
      return true;
    });
    const read = await client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: 'counters', Key: { id: { S: 'stock' } } } },
          { Get: { TableName: 'orders', Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-2' } } } },
          { Get: { TableName: 'orders', Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } } } },
        ],
      }),
    );
    assert.equal(read.Responses?.[0]?.Item?.n?.N, '0');
    assert.equal(read.Responses?.[1]?.Item, undefined, 'the cancelled put left nothing');
    assert.equal(read.Responses?.[2]?.Item?.orderId?.S, 'o-1');
    await assert.rejects(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'counters', Item: { id: { S: 'x' } } } },
            { Delete: { TableName: 'counters', Key: { id: { S: 'x' } } } },
          ],
        }),
      ),
      /multiple operations on one item/,
    );
    // A write the engine refuses after others applied: the applied ones are undone.
    await assert.rejects(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'counters', Item: { id: { S: 'y' }, n: { N: '5' } } } },
            {
              Update: {
                TableName: 'orders',
                Key: { customerId: { S: 'c-1' }, orderId: { S: 'o-1' } },
                UpdateExpression: 'SET #t = #t + :s',
                ExpressionAttributeNames: { '#t': 'total' },
                ExpressionAttributeValues: { ':s': { S: 'not a number' } },
              },
            },
          ],
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof TransactionCanceledException);
        assert.deepEqual(
          error.CancellationReasons?.map((r) => r.Code),
          ['None', 'ValidationError'],
        );
        return true;
      },
    );
    const y = await client.send(new GetItemCommand({ TableName: 'counters', Key: { id: { S: 'y' } } }));
    assert.equal(y.Item, undefined);
  });

  test('UpdateTable turns the stream off and on (a new ARN), UpdateTimeToLive, DeleteTable and CreateTable', async (t) => {
    const { client } = await start(t);
    const first = (await client.send(new DescribeTableCommand({ TableName: 'orders' }))).Table?.LatestStreamArn;
    await assert.rejects(
      client.send(
        new UpdateTableCommand({
          TableName: 'orders',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
        }),
      ),
      /already has an enabled stream/,
    );
    const off = await client.send(
      new UpdateTableCommand({ TableName: 'orders', StreamSpecification: { StreamEnabled: false } }),
    );
    assert.equal(off.TableDescription?.StreamSpecification, undefined);
    const on = await client.send(
      new UpdateTableCommand({
        TableName: 'orders',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      }),
    );
    assert.equal(on.TableDescription?.StreamSpecification?.StreamViewType, 'KEYS_ONLY');
    assert.notEqual(on.TableDescription?.LatestStreamArn, first);
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: 'counters',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
      }),
    );
    assert.equal(
      (await client.send(new DescribeTimeToLiveCommand({ TableName: 'counters' }))).TimeToLiveDescription
        ?.AttributeName,
      'ttl',
    );
    const created = await client.send(
      new CreateTableCommand({
        TableName: 'events',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    assert.equal(created.TableDescription?.StreamSpecification?.StreamViewType, 'NEW_IMAGE');
    // As on AWS, the table is CREATING for a moment and DELETING after DeleteTable: a client waits out both.
    const statusOf = async (): Promise<string> => {
      try {
        return (await client.send(new DescribeTableCommand({ TableName: 'events' }))).Table?.TableStatus ?? '';
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return 'GONE';
        throw error;
      }
    };
    const until = async (status: string): Promise<void> => {
      for (let tries = 0; tries < 100 && (await statusOf()) !== status; tries += 1)
        await new Promise((resolve) => setImmediate(resolve));
      assert.equal(await statusOf(), status);
    };
    await until('ACTIVE');
    await client.send(new DeleteTableCommand({ TableName: 'events' }));
    await until('GONE');
  });

  test("lib-dynamodb's DocumentClient works unchanged, and data survives a restart", async (t) => {
    const { doc, dir, session } = await start(t);
    await doc.send(
      new PutCommand({
        TableName: 'orders',
        Item: { customerId: 'c-9', orderId: 'o-1', status: 'placed', lines: [{ sku: 'a', qty: 2 }], total: 19.5 },
      }),
    );
    const got = await doc.send(new GetCommand({ TableName: 'orders', Key: { customerId: 'c-9', orderId: 'o-1' } }));
    assert.deepEqual(got.Item?.lines, [{ sku: 'a', qty: 2 }]);
    await session.stop();
    const again = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: false, wsPort: false, watch: false });
    cleanup(t, () => again.stop());
    const client = new DynamoDBClient({
      endpoint: again.endpointUrl,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    cleanup(t, () => client.destroy());
    const after = await DynamoDBDocumentClient.from(client).send(
      new DocQuery({
        TableName: 'orders',
        KeyConditionExpression: 'customerId = :c',
        ExpressionAttributeValues: { ':c': 'c-9' },
      }),
    );
    assert.equal(after.Items?.[0]?.total, 19.5);
  });
});
