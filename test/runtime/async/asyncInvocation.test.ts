import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { AsyncSettlement } from '../../../src/runtime/async/asyncInvoker.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { openGate } from '../../helpers/gate.js';
import { startRuntime } from '../../helpers/tempApp.js';

const files = {
  'ok.mjs': 'export const handler = async (event, context) => ({ handled: event, requestId: context.awsRequestId });',
  'fail.mjs': 'export const handler = async () => { throw new TypeError("always fails"); };',
  'sink.mjs':
    'export const records = [];\nexport const handler = async (event) => { console.log(JSON.stringify(event)); return "stored"; };',
  'wait.mjs': 'export const handler = async (event) => { if (event.gate) await fetch(event.gate); return "done"; };',
};

function settledOnce(
  runtime: { asyncInvoker: { events: import('node:events').EventEmitter } },
  requestId?: string,
): Promise<AsyncSettlement> {
  return new Promise((resolve) => {
    const listener = (s: AsyncSettlement): void => {
      if (requestId !== undefined && s.requestId !== requestId) return;
      runtime.asyncInvoker.events.off('settled', listener);
      resolve(s);
    };
    runtime.asyncInvoker.events.on('settled', listener);
  });
}

async function nextRetry(runtime: {
  asyncInvoker: { events: import('node:events').EventEmitter };
}): Promise<{ reason: string; nextAt: number }> {
  const [retry] = (await once(runtime.asyncInvoker.events, 'retry-scheduled')) as [{ reason: string; nextAt: number }];
  return retry;
}

describe('asynchronous invocation (Event)', () => {
  test('answers 202 at once, runs the event, and sends a Success record to onSuccess (a function)', async (t) => {
    const clock = new ManualClock();
    const { runtime } = await startRuntime(t, {
      clock,
      functions: {
        ok: { handler: 'ok.handler', async: { onSuccess: { function: 'sink' } } },
        sink: { handler: 'sink.handler' },
      },
      files,
    });
    const toSink = new Promise<AsyncSettlement>((resolve) =>
      runtime.asyncInvoker.events.on('settled', (s) => s.functionName === 'sink' && resolve(s)),
    );
    const accepted = await runtime.invoke({ functionName: 'ok', invocationType: 'Event', payload: '{"order":1}' });
    assert.equal(accepted.statusCode, 202);
    assert.equal(accepted.payload, '');
    await toSink;
    const [okRecord] = runtime.records.list({ functionName: 'ok' });
    assert.equal(okRecord?.invocationType, 'Event');
    assert.equal(okRecord?.requestId, accepted.requestId, 'the event keeps its request id');
    const [sinkRecord] = runtime.records.list({ functionName: 'sink' });
    assert.equal(sinkRecord?.parentRequestId, accepted.requestId);
    const delivered = JSON.parse(sinkRecord?.functionLog.find((l) => l.includes('"version"'))?.split('\t')[3] ?? '{}');
    assert.equal(delivered.version, '1.0');
    assert.deepEqual(delivered.requestContext, {
      requestId: accepted.requestId,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ok:$LATEST',
      condition: 'Success',
      approximateInvokeCount: 1,
    });
    assert.deepEqual(delivered.requestPayload, { order: 1 });
    assert.deepEqual(delivered.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
    assert.deepEqual(delivered.responsePayload, { handled: { order: 1 }, requestId: accepted.requestId });
  });

  test('function errors are retried twice, ~1 min then ~2 min apart, then RetriesExhausted goes to onFailure', async (t) => {
    const clock = new ManualClock();
    const { runtime, dir } = await startRuntime(t, {
      clock,
      functions: { fail: { handler: 'fail.handler', async: { onFailure: { queue: 'dead-letters' } } } },
      files,
    });
    const settled = settledOnce(runtime);
    const firstRetry = nextRetry(runtime);
    const accepted = await runtime.invoke({ functionName: 'fail', invocationType: 'Event', payload: '{"n":1}' });
    const first = await firstRetry;
    assert.equal(first.reason, 'function-error');
    assert.equal(first.nextAt - clock.now(), 60_000);
    clock.advance(59_999);
    assert.equal(runtime.records.list({ functionName: 'fail' }).length, 1, 'no retry before a minute');
    const second = nextRetry(runtime);
    clock.advance(1);
    assert.equal((await second).nextAt - clock.now(), 120_000);
    clock.advance(120_000);
    const result = await settled;
    assert.equal(result.condition, 'RetriesExhausted');
    assert.equal(result.approximateInvokeCount, 3);

    const attempts = runtime.records.list({ functionName: 'fail' });
    assert.deepEqual(
      attempts.map((r) => r.attempt),
      [1, 2, 3],
    );
    assert.ok(attempts.every((r) => r.firstAttemptId === accepted.requestId && r.requestId === accepted.requestId));
    const dead = (await readFile(join(dir, '.tributary', 'queues', 'dead-letters.ndjson'), 'utf8')).trim().split('\n');
    assert.equal(dead.length, 1);
    const record = JSON.parse(dead[0] ?? '{}');
    assert.equal(record.requestContext.condition, 'RetriesExhausted');
    assert.equal(record.requestContext.approximateInvokeCount, 3);
    assert.deepEqual(record.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(record.responsePayload.errorType, 'TypeError');
  });

  test('maximumRetryAttempts 0 gives up after the first error; a bucket destination gets the record as an object', async (t) => {
    const clock = new ManualClock(Date.parse('2026-03-04T05:06:07Z'));
    const { runtime, dir } = await startRuntime(t, {
      clock,
      functions: {
        fail: {
          handler: 'fail.handler',
          async: { maximumRetryAttempts: 0, onFailure: { bucket: 'failures', prefix: 'lambda/' } },
        },
      },
      files,
    });
    const settled = settledOnce(runtime);
    const accepted = await runtime.invoke({ functionName: 'fail', invocationType: 'Event' });
    const result = await settled;
    assert.equal(result.approximateInvokeCount, 1);
    const object = join(
      dir,
      '.tributary',
      's3',
      'failures',
      `lambda/aws/lambda/async/fail/2026/03/04/05/${accepted.requestId}.json`,
    );
    const record = JSON.parse(await readFile(object, 'utf8'));
    assert.equal(record.requestContext.condition, 'RetriesExhausted');
  });

  test('events older than maximumEventAgeInSeconds are given up with EventAgeExceeded', async (t) => {
    const clock = new ManualClock();
    const { runtime, dir } = await startRuntime(t, {
      clock,
      functions: {
        fail: { handler: 'fail.handler', async: { maximumEventAgeInSeconds: 60, onFailure: { queue: 'old' } } },
      },
      files,
    });
    const settled = settledOnce(runtime);
    const retried = nextRetry(runtime);
    await runtime.invoke({ functionName: 'fail', invocationType: 'Event' });
    await retried;
    clock.advance(60_000);
    assert.equal((await settled).condition, 'EventAgeExceeded');
    const record = JSON.parse((await readFile(join(dir, '.tributary', 'queues', 'old.ndjson'), 'utf8')).trim());
    assert.equal(record.requestContext.condition, 'EventAgeExceeded');
    assert.equal(record.requestContext.approximateInvokeCount, 1);
  });

  test('throttles go back on the queue with backoff from 1 s doubling, and run once there is room', async (t) => {
    const clock = new ManualClock();
    const gate = await openGate(t);
    const { runtime } = await startRuntime(t, {
      clock,
      functions: { wait: { handler: 'wait.handler', reservedConcurrency: 1 } },
      files,
    });
    // Listen first: the first attempt (and its throttle) can happen before invoke() returns the 202.
    const retries: { reason: string; nextAt: number; at: number }[] = [];
    const waiters: (() => void)[] = [];
    runtime.asyncInvoker.events.on('retry-scheduled', (r) => {
      retries.push({ ...r, at: clock.now() });
      for (const w of waiters.splice(0)) w();
    });
    const retryCount = (n: number): Promise<void> =>
      retries.length >= n
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push(() => void retryCount(n).then(resolve)));
    // A synchronous invocation holds the function's only slot.
    const holder = runtime.invoke({ functionName: 'wait', payload: JSON.stringify({ gate: gate.url }) });
    await gate.arrived(1);
    const settled = settledOnce(runtime);
    await runtime.invoke({ functionName: 'wait', invocationType: 'Event', payload: '{}' });
    for (let i = 1; i <= 3; i++) {
      await retryCount(i);
      const retry = retries[i - 1];
      assert.equal(retry?.reason, 'throttled');
      if (i < 3 && retry !== undefined) clock.advance(retry.nextAt - clock.now());
    }
    const delays = retries.map((r) => r.nextAt - r.at);
    assert.deepEqual(delays, [1000, 2000, 4000]);
    gate.release();
    await holder;
    clock.advance(4000);
    assert.equal((await settled).condition, 'Success');
    assert.equal(runtime.records.list({ functionName: 'wait' }).filter((r) => r.outcome === 'throttled').length, 3);
  });

  test('reserved concurrency 0 sends events straight to onFailure, without running them', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { off: { handler: 'ok.handler', reservedConcurrency: 0, async: { onFailure: { queue: 'q' } } } },
      files,
    });
    const settled = settledOnce(runtime);
    const accepted = await runtime.invoke({ functionName: 'off', invocationType: 'Event' });
    const result = await settled;
    assert.deepEqual(result, {
      requestId: accepted.requestId,
      functionName: 'off',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 0,
    });
    assert.equal(runtime.records.list({ functionName: 'off' }).length, 0);
  });
});
