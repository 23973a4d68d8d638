import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bill } from '../../src/runtime/billing.js';
import { executionLog, logTail } from '../../src/runtime/executionLog.js';
import type { InvocationRecord } from '../../src/runtime/invocationRecord.js';
import { startRuntime } from '../helpers/tempApp.js';

const LOGGER = `console.log('init line');
export const handler = async (event) => { console.log('hello', event.n); console.warn({ warn: true }); process.stdout.write('raw write\\n'); return event.n; };`;

describe('billing', () => {
  test('per 1 ms, rounded up, init included, GB-s from configured memory, x86 and arm prices', () => {
    const x86 = bill({ durationMs: 12.01, initDurationMs: 0, memorySizeMb: 1024, architecture: 'x86_64' });
    assert.equal(x86.billedDurationMs, 13);
    assert.equal(x86.gbSeconds, 0.013);
    assert.ok(Math.abs(x86.costUsd - (0.013 * 0.0000166667 + 0.0000002)) < 1e-15);
    const cold = bill({ durationMs: 1.2, initDurationMs: 100.5, memorySizeMb: 128, architecture: 'arm64' });
    assert.equal(cold.billedDurationMs, 102);
    assert.ok(Math.abs(cold.costUsd - (0.125 * 0.102 * 0.0000133334 + 0.0000002)) < 1e-15);
    assert.equal(
      bill({ durationMs: 0.01, initDurationMs: 0, memorySizeMb: 128, architecture: 'x86_64' }).billedDurationMs,
      1,
    );
  });
});

describe('invocation records', () => {
  test('record every field: lineage, cold/warm, timing, billing, outcome and the execution log', async (t) => {
    const { runtime, dir } = await startRuntime(t, {
      functions: { f: { handler: 'l.handler', memorySize: 256 } },
      files: { 'l.mjs': LOGGER },
    });
    const first = await runtime.invoke({ functionName: 'f', payload: '{"n":1}', parentRequestId: 'parent-1' });
    const second = await runtime.invoke({
      functionName: 'f',
      payload: '{"n":2}',
      attempt: 2,
      firstAttemptId: first.requestId,
    });
    const cold = first.record as InvocationRecord;
    const warm = second.record as InvocationRecord;

    assert.equal(cold.requestId, first.requestId);
    assert.equal(cold.functionName, 'f');
    assert.equal(cold.invocationType, 'RequestResponse');
    assert.equal(cold.parentRequestId, 'parent-1');
    assert.equal(cold.attempt, 1);
    assert.equal(cold.firstAttemptId, first.requestId);
    assert.equal(cold.coldStart, true);
    assert.ok((cold.initDurationMs ?? 0) > 0);
    assert.equal(cold.memorySizeMb, 256);
    assert.equal(cold.billedDurationMs, Math.max(1, Math.ceil(cold.durationMs + (cold.initDurationMs ?? 0))));
    assert.equal(cold.gbSeconds, 0.25 * (cold.billedDurationMs / 1000));
    assert.ok(cold.costUsd > 0.0000002);
    assert.equal(cold.outcome, 'success');
    assert.ok(Math.abs(cold.startTime - Date.now()) < 60_000);

    assert.equal(warm.coldStart, false);
    assert.equal(warm.initDurationMs, undefined);
    assert.equal(warm.attempt, 2);
    assert.equal(warm.firstAttemptId, first.requestId);
    assert.equal(warm.environmentId, cold.environmentId);

    // The log: init lines (request id "undefined", as on AWS) precede START on the cold start.
    const [start, ...rest] = executionLog(cold);
    assert.equal(start, `START RequestId: ${cold.requestId} Version: $LATEST`);
    assert.match(rest[0] ?? '', /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\tundefined\tINFO\tinit line$/);
    assert.match(rest[1] ?? '', new RegExp(`^[\\d:.TZ-]+\\t${cold.requestId}\\tINFO\\thello 1$`));
    assert.match(rest[2] ?? '', /\tWARN\t\{ warn: true \}$/);
    assert.equal(rest[3], 'raw write');
    assert.equal(rest[4], `END RequestId: ${cold.requestId}`);
    assert.match(
      rest[5] ?? '',
      new RegExp(
        `^REPORT RequestId: ${cold.requestId}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: ${cold.billedDurationMs} ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\t$`,
      ),
    );
    assert.ok(!executionLog(warm).some((line) => line.includes('Init Duration')));
    assert.ok(!warm.functionLog.some((line) => line.includes('init line')));

    // Queryable through the module API and persisted for `tributary logs`.
    assert.deepEqual(
      runtime.records.list({ functionName: 'f' }).map((r) => r.requestId),
      [first.requestId, second.requestId],
    );
    assert.deepEqual(
      runtime.records.list({ limit: 1 }).map((r) => r.requestId),
      [second.requestId],
    );
    assert.deepEqual(runtime.records.list({ functionName: 'other' }), []);
    await runtime.dispose();
    const lines = (await readFile(join(dir, '.tributary', 'invocations.ndjson'), 'utf8')).trim().split('\n');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as InvocationRecord).requestId),
      [first.requestId, second.requestId],
    );
  });

  test('X-Amz-Log-Result (Tail): base64 of the last 4 KB of the log', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'l.handler' } },
      files: {
        'l.mjs':
          'export const handler = async () => { for (let i = 0; i < 200; i++) console.log("line", i, "x".repeat(40)); return 1; };',
      },
    });
    const result = await runtime.invoke({ functionName: 'f', logType: 'Tail' });
    const tail = Buffer.from(result.logResult ?? '', 'base64').toString('utf8');
    assert.equal(Buffer.byteLength(tail), 4096);
    assert.match(tail, /REPORT RequestId: .*\n$/);
    assert.ok(result.record !== undefined);
    assert.equal(result.logResult, logTail(executionLog(result.record)));
    assert.equal((await runtime.invoke({ functionName: 'f' })).logResult, undefined, 'only with Tail');
  });
});

describe('RecordStore', () => {
  test('keeps the newest records in order once the ring is full', async () => {
    const { RecordStore } = await import('../../src/runtime/recordStore.js');
    const store = new RecordStore({ capacity: 3 });
    for (let i = 1; i <= 5; i++)
      store.add({ requestId: String(i), functionName: i % 2 ? 'odd' : 'even' } as InvocationRecord);
    assert.deepEqual(
      store.list().map((r) => r.requestId),
      ['3', '4', '5'],
    );
    assert.deepEqual(
      store.list({ functionName: 'odd' }).map((r) => r.requestId),
      ['3', '5'],
    );
    assert.deepEqual(
      store.list({ limit: 2 }).map((r) => r.requestId),
      ['4', '5'],
    );
  });
});
