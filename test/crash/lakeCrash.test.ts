import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { TEST_CREDENTIALS } from '../helpers/devApp.js';
import { startDevProcess, waitFor } from '../helpers/devProcess.js';
import { configFile, tempApp } from '../helpers/tempApp.js';

const ROUNDS = 3;
const CLIENTS = 4;
const BATCH = 100;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('kill -9 during sustained ingest, several rounds: every acknowledged record is in the lake', {
  timeout: 120_000,
}, async (t) => {
  const dir = await tempApp(t, {
    'package.json': '{"type":"module"}',
    'tributary.config.ts': configFile({
      name: 'lake-crash',
      functions: {},
      lake: {
        buckets: ['lake'],
        streams: { events: { bucket: 'lake', prefix: 'events/', buffering: { sizeInMBs: 1, intervalInSeconds: 1 } } },
      },
    }),
  });
  const delivered = (): string[] =>
    filesUnder(join(dir, '.tributary', 's3', 'lake', 'events')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id),
    );

  const acknowledged = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    const dev = await startDevProcess(dir);
    t.after(() => dev.child.kill('SIGKILL'));
    const firehose = new FirehoseClient({
      endpoint: dev.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    let stop = false;
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let seq = 0; !stop && seq < 60; seq++) {
        const ids = Array.from({ length: BATCH }, (_, i) => `${round}-${client}-${seq}-${i}`);
        try {
          const reply = await firehose.send(
            new PutRecordBatchCommand({
              DeliveryStreamName: 'events',
              Records: ids.map((id) => ({ Data: Buffer.from(JSON.stringify({ id })) })),
            }),
          );
          reply.RequestResponses?.forEach((r, i) => {
            const id = ids[i];
            if (r.RecordId !== undefined && id !== undefined) acknowledged.add(id);
          });
        } catch {
          return; // the kill: this batch was never acknowledged
        }
      }
    });
    // A different moment each round, while the clients are busy.
    await delay(150 + round * 120);
    dev.child.kill('SIGKILL');
    stop = true;
    await once(dev.child, 'exit');
    await Promise.all(clients);
    firehose.destroy();
  }
  assert.ok(acknowledged.size > 1_000, `the rounds acknowledged records (${acknowledged.size})`);

  // Restart: the journal replays what was acknowledged but not delivered.
  const dev = await startDevProcess(dir);
  const complete = (): boolean => {
    const seen = new Set(delivered());
    for (const id of acknowledged) if (!seen.has(id)) return false;
    return true;
  };
  const allThere = await waitFor(complete, 30_000);
  dev.child.kill('SIGINT');
  await once(dev.child, 'exit');
  const ids = delivered();
  const seen = new Set(ids);
  const missing = [...acknowledged].filter((id) => !seen.has(id));
  const duplicates = ids.length - seen.size;
  t.diagnostic(
    `${ROUNDS} kill -9 rounds; ${acknowledged.size} records acknowledged; ${ids.length} delivered; missing ${missing.length}; duplicates ${duplicates}`,
  );
  assert.ok(
    allThere,
    `every acknowledged record is in the lake (missing ${missing.length}, e.g. ${missing.slice(0, 3)})`,
  );
});
