import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../src/shared/clock.js';
import { LocalTables } from '../../src/tables/localTables.js';
import { cleanup } from '../helpers/cleanup.js';

test('a write the process died in the middle of (item written, record not) is recorded on the next start', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tables-crash-'));
  cleanup(t, () => rm(dir, { recursive: true, force: true }));
  const clock = new ManualClock(Date.parse('2026-12-05T10:00:00Z'));
  const open = () => LocalTables.open({ dir, region: 'us-east-1', clock });
  const first = open();
  await first.handle('CreateTable', {
    TableName: 'items',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  // As on AWS, a new table is CREATING for a moment (here: until the next turn of the event loop).
  const status = async () =>
    ((await first.handle('DescribeTable', { TableName: 'items' }))?.body.Table as { TableStatus?: string } | undefined)
      ?.TableStatus;
  while ((await status()) !== 'ACTIVE') await new Promise((resolve) => setImmediate(resolve));
  // The crash window, reproduced: the write reaches the table while its stream is off (so nothing records it), then
  // the stream is on and an intent says "this item was absent before a write began", as a killed process leaves it.
  await first.handle('PutItem', { TableName: 'items', Item: { id: { S: 'written' }, n: { N: '1' } } });
  await first.handle('UpdateTable', {
    TableName: 'items',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  });
  first.streams.intend('items', { id: { S: 'written' } }, undefined);
  // And a write that never happened: the item is as the intent found it, so there is nothing to record.
  await first.handle('PutItem', { TableName: 'items', Item: { id: { S: 'untouched' } } });
  const untouched = (await first.handle('GetItem', { TableName: 'items', Key: { id: { S: 'untouched' } } }))?.body
    .Item as Record<string, unknown>;
  const before = first.streams.enabled('items');
  assert.ok(before !== undefined);
  const recordsBefore = first.streams.read(before.arn, 0n, 100).length;
  first.streams.intend('items', { id: { S: 'untouched' } }, untouched);
  await first.close();

  const second = open();
  cleanup(t, () => second.close());
  assert.equal(await second.reconciled(), 1);
  const records = second.streams.read(before.arn, 0n, 100).slice(recordsBefore);
  assert.equal(records.length, 1);
  const dynamodb = records[0]?.record.dynamodb as Record<string, unknown>;
  assert.equal(records[0]?.record.eventName, 'INSERT');
  assert.deepEqual(dynamodb.NewImage, { id: { S: 'written' }, n: { N: '1' } });
  assert.deepEqual(second.streams.intents(), [], 'every intent settled');
});
