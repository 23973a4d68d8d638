import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { aggregatedRequests, aggregateLine } from '../../src/runtime/aggregatedRequests.js';
import type { InvocationRecord } from '../../src/runtime/invocationRecord.js';
import { startDevApp } from '../helpers/devApp.js';
import { runCli } from '../helpers/runCli.js';

function record(fields: Partial<InvocationRecord> & { startTime: number; durationMs: number }): InvocationRecord {
  const requestId = fields.requestId ?? randomUUID();
  return {
    requestId,
    functionName: 'fn',
    invocationType: 'RequestResponse',
    parentRequestId: undefined,
    attempt: 1,
    firstAttemptId: requestId,
    coldStart: false,
    initDurationMs: undefined,
    billedDurationMs: Math.ceil(fields.durationMs),
    memorySizeMb: 128,
    maxMemoryUsedMb: 60,
    gbSeconds: 0,
    costUsd: 0.000001,
    outcome: 'success',
    errorType: undefined,
    environmentId: 'env',
    functionLog: [],
    ...fields,
  };
}

describe('aggregated requests from invocation records', () => {
  test('a sync fan-out: 1 + N held, time billed while waiting, cost of the whole request', () => {
    const l1 = record({ requestId: 'l1', startTime: 1000, durationMs: 30 });
    const branches = [5, 6, 7, 8].map((offset, i) =>
      record({ parentRequestId: 'l1', startTime: 1000 + offset, durationMs: 15 + i, functionName: `l2-${i}` }),
    );
    const [aggregation] = aggregatedRequests([...branches, l1]);
    assert.ok(aggregation !== undefined);
    assert.equal(aggregation.mode, 'sync');
    assert.equal(aggregation.branches.length, 4);
    assert.equal(aggregation.peakConcurrency, 5);
    assert.equal(aggregation.waitingMs, 26 - 5);
    assert.ok(Math.abs(aggregation.costUsd - 0.000005) < 1e-12);
    assert.match(
      aggregateLine(aggregation),
      /^AGGREGATE RequestId: l1\tBranches: 4 sync\tConcurrency: 5\tWaiting: 21\.00 of 30 ms billed\tRetries: 0\tThrottles: 0\tCost: \$0\.000005000$/,
    );
  });

  test('async branches run after the L1; retries and throttles are counted; nested calls add to cost', () => {
    const l1 = record({ requestId: 'a1', startTime: 0, durationMs: 10 });
    const first = record({
      requestId: 'e1',
      parentRequestId: 'a1',
      invocationType: 'Event',
      startTime: 20,
      durationMs: 5,
      outcome: 'error',
    });
    const retry = record({
      parentRequestId: 'a1',
      invocationType: 'Event',
      startTime: 80,
      durationMs: 5,
      attempt: 2,
      firstAttemptId: 'e1',
    });
    const throttled = record({
      parentRequestId: 'a1',
      invocationType: 'Event',
      startTime: 21,
      durationMs: 0,
      outcome: 'throttled',
      costUsd: 0,
    });
    const nested = record({ parentRequestId: 'e1', startTime: 21, durationMs: 2 });
    const [aggregation] = aggregatedRequests([l1, first, throttled, nested, retry]);
    assert.equal(aggregation?.mode, 'async');
    assert.equal(aggregation?.retries, 1);
    assert.equal(aggregation?.throttles, 1);
    assert.equal(aggregation?.waitingMs, 0, 'an async L1 does not wait');
    assert.equal(aggregation?.peakConcurrency, 2, 'e1 and what it invoked');
    assert.equal(aggregation?.descendants.length, 4);
  });

  test('an invocation that fanned out nothing is not an aggregation', () => {
    assert.deepEqual(aggregatedRequests([record({ startTime: 0, durationMs: 1 })]), []);
  });

  test('tributary logs prints the AGGREGATE line after the L1', async (t) => {
    const helper = pathToFileURL(join(process.cwd(), 'dist', 'aggregate', 'index.js')).href;
    const { session, dir } = await startDevApp(t, {
      functions: {
        l1: { handler: 'l1.handler', timeout: 5 },
        a: { handler: 'l2.handler' },
        b: { handler: 'l2.handler' },
      },
      files: {
        'l1.mjs': `import { LambdaClient } from '@aws-sdk/client-lambda';
import { fanOut } from '${helper}';
const lambda = new LambdaClient({});
export const handler = async (event, context) => (await fanOut({ a: { function: 'a' }, b: { function: 'b' } }, context, { lambda })).values;`,
        'l2.mjs': 'export const handler = async () => { await new Promise((r) => setTimeout(r, 20)); return "ok"; };',
      },
    });
    await session.runtime.invoke({ functionName: 'l1' });
    await session.stop();
    const logs = await runCli(['logs', 'l1', '--app', dir]);
    assert.match(
      logs.stdout,
      /^REPORT RequestId: .*\nAGGREGATE RequestId: \S+\tBranches: 2 sync\tConcurrency: 3\tWaiting: \d+\.\d\d of \d+ ms billed\tRetries: 0\tThrottles: 0\tCost: \$0\.\d{9}$/m,
    );
  });
});
