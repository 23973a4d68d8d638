import assert from 'node:assert/strict';
import { appendFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StreamJournal } from '../../src/lake/streams/streamJournal.js';
import { cleanup } from '../helpers/cleanup.js';

test('the journal replays records and NDJSON blocks after a restart, ignores a torn frame, and drops delivered segments', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-journal-'));
  cleanup(t, () => rm(dir, { recursive: true, force: true }));
  const first = new StreamJournal(dir);
  assert.deepEqual(first.recover(), []);
  const recordSegment = await first.append([Buffer.from('{"a":1}'), Buffer.from('{"a":2}')], 1_000);
  const block = Buffer.from('{"b":1}\n{"b":2}\n{"b":3}\n');
  const blockSegment = await first.appendBlock(block, 3, 2_000);
  assert.equal(recordSegment, blockSegment);
  first.close();
  // A crash mid-write leaves a partial frame at the end: it was never acknowledged.
  const [segmentFile] = readdirSync(dir);
  appendFileSync(join(dir, segmentFile ?? ''), Buffer.from([200, 0, 0, 0, 1, 2]));

  const second = new StreamJournal(dir);
  const replayed = second.recover();
  assert.deepEqual(
    replayed.map((r) => ({ data: r.data.toString(), arrivalMs: r.arrivalMs, count: r.count })),
    [
      { data: '{"a":1}', arrivalMs: 1_000, count: undefined },
      { data: '{"a":2}', arrivalMs: 1_000, count: undefined },
      { data: block.toString(), arrivalMs: 2_000, count: 3 },
    ],
  );
  // Delivering all five records (two, then the block's three) removes the old segment.
  second.delivered(recordSegment, 2);
  assert.ok(readdirSync(dir).includes(segmentFile ?? ''));
  second.delivered(recordSegment, 3);
  assert.ok(!readdirSync(dir).includes(segmentFile ?? ''), 'a fully delivered segment is deleted');
  second.close();
  const third = new StreamJournal(dir);
  assert.deepEqual(third.recover(), []);
  third.close();
});
