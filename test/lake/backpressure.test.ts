import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DeliveryStream } from '../../src/lake/streams/deliveryStream.js';
import { StreamJournal } from '../../src/lake/streams/streamJournal.js';
import { parseApp } from '../../src/model/defineApp.js';
import { ManualClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { cleanup } from '../helpers/cleanup.js';

test('a stalled destination: puts are refused with ServiceUnavailableException once the buffer cap is reached, memory stays bounded', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-backpressure-'));
  cleanup(t, () => rm(dir, { recursive: true, force: true }));
  const app = parseApp({
    name: 'bp',
    lake: {
      buckets: ['lake'],
      streams: { s: { bucket: 'lake', buffering: { sizeInMBs: 1, intervalInSeconds: 0 } } },
    },
  });
  const config = app.lake?.streams.s;
  if (config === undefined) throw new Error('no stream');
  // The sink never answers: every delivery stays in flight, as with an S3 endpoint that hangs.
  let writes = 0;
  const sink = { ensureBucket: async () => undefined, put: () => new Promise<void>(() => void writes++) };
  const clock = new ManualClock();
  const stream = new DeliveryStream({
    name: 's',
    config,
    table: undefined,
    region: 'us-east-1',
    journal: new StreamJournal(join(dir, 'journal')),
    sink,
    converter: undefined,
    clock,
    logger: silentLogger,
    maxBufferedBytes: 4 * 1024 * 1024,
  });
  await stream.start();
  cleanup(t, () => stream.close({ flush: false }));
  const record = Buffer.alloc(100 * 1024, 'x');
  let accepted = 0;
  let refused: unknown;
  for (let i = 0; i < 100 && refused === undefined; i++) {
    try {
      accepted += (await stream.put([record])).accepted;
      clock.advance(0);
    } catch (error) {
      refused = error;
    }
  }
  assert.equal((refused as { aws?: { type: string } } | undefined)?.aws?.type, 'ServiceUnavailableException');
  assert.ok(accepted >= 30 && accepted <= 41, `about 4 MB accepted before refusing (${accepted} x 100 KB)`);
  assert.ok(stream.getStats().bufferedBytes <= 4 * 1024 * 1024, 'memory held stays under the cap');
  assert.ok(writes >= 1, 'deliveries were attempted');
});
