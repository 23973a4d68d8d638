import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConcurrencyLimiter } from '../../src/runtime/concurrencyLimiter.js';
import { isTributaryError } from '../../src/shared/tributaryError.js';
import { openGate } from '../helpers/gate.js';
import { startRuntime } from '../helpers/tempApp.js';

const WAITER = 'export const handler = async (event) => { await fetch(event.gate); return "released"; };';

function throttledWith(reason: string) {
  return (error: unknown): boolean => {
    assert.ok(isTributaryError(error, 'ERR_THROTTLED'), String(error));
    assert.equal(error.aws?.type, 'TooManyRequestsException');
    assert.equal(error.aws?.status, 429);
    assert.equal(error.aws?.fields?.Reason, reason);
    assert.equal(error.message, 'Rate Exceeded.');
    return true;
  };
}

describe('concurrency limits (ConcurrencyLimiter)', () => {
  test('reserved functions are capped at their reservation and never use the shared pool', () => {
    const limiter = new ConcurrencyLimiter(105, new Map([['reserved', 5]]));
    const slots = Array.from({ length: 5 }, () => limiter.acquire('reserved'));
    assert.throws(
      () => limiter.acquire('reserved'),
      throttledWith('ReservedFunctionConcurrentInvocationLimitExceeded'),
    );
    const shared = Array.from({ length: 100 }, (_, i) => limiter.acquire(`other${i % 3}`));
    assert.throws(() => limiter.acquire('other0'), throttledWith('ConcurrentInvocationLimitExceeded'));
    assert.equal(limiter.inUse(), 105);
    slots[0]?.release();
    slots[0]?.release(); // idempotent
    assert.doesNotThrow(() => limiter.acquire('reserved'));
    assert.throws(() => limiter.acquire('other1'), throttledWith('ConcurrentInvocationLimitExceeded'));
    shared[0]?.release();
    assert.doesNotThrow(() => limiter.acquire('other1'));
  });

  test('the reservation is a guarantee: a busy shared pool does not throttle a reserved function', () => {
    const limiter = new ConcurrencyLimiter(102, new Map([['vip', 2]]));
    for (let i = 0; i < 100; i++) limiter.acquire('noisy');
    assert.doesNotThrow(() => limiter.acquire('vip'));
    assert.doesNotThrow(() => limiter.acquire('vip'));
  });

  test('reserved concurrency 0 throttles everything', () => {
    const limiter = new ConcurrencyLimiter(1000, new Map([['off', 0]]));
    assert.throws(() => limiter.acquire('off'), throttledWith('ReservedFunctionConcurrentInvocationLimitExceeded'));
  });
});

describe('concurrency through the runtime (real environments)', () => {
  test('a sync invoke over the reserved limit fails at once with 429, and each running invocation has its own environment', async (t) => {
    const gate = await openGate(t);
    const { runtime } = await startRuntime(t, {
      config: { limits: { accountConcurrency: 102 } },
      functions: { f: { handler: 'w.handler', reservedConcurrency: 2 } },
      files: { 'w.mjs': WAITER },
    });
    const payload = JSON.stringify({ gate: gate.url });
    const running = [runtime.invoke({ functionName: 'f', payload }), runtime.invoke({ functionName: 'f', payload })];
    await gate.arrived(2);
    assert.equal(runtime.concurrency('f'), 2);
    assert.equal(runtime.pool('f')?.size, 2);
    await assert.rejects(
      runtime.invoke({ functionName: 'f', payload }),
      throttledWith('ReservedFunctionConcurrentInvocationLimitExceeded'),
    );
    gate.release();
    const results = await Promise.all(running);
    assert.deepEqual(
      results.map((r) => r.payload),
      ['"released"', '"released"'],
    );
    const throttles = runtime.records.list().filter((r) => r.outcome === 'throttled');
    assert.equal(throttles.length, 1);
    assert.equal(throttles[0]?.costUsd, 0);
    assert.equal((await runtime.invoke({ functionName: 'f', payload })).payload, '"released"', 'slots were given back');
  });

  test('the account limit throttles unreserved functions with ConcurrentInvocationLimitExceeded', async (t) => {
    const gate = await openGate(t);
    const { runtime } = await startRuntime(t, {
      config: { limits: { accountConcurrency: 2 } },
      functions: { a: { handler: 'w.handler' }, b: { handler: 'w.handler' } },
      files: { 'w.mjs': WAITER },
    });
    const payload = JSON.stringify({ gate: gate.url });
    const running = [runtime.invoke({ functionName: 'a', payload }), runtime.invoke({ functionName: 'b', payload })];
    await gate.arrived(2);
    await assert.rejects(
      runtime.invoke({ functionName: 'a', payload }),
      throttledWith('ConcurrentInvocationLimitExceeded'),
    );
    gate.release();
    await Promise.all(running);
  });

  test('reserved concurrency 0 throttles every invoke', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { off: { handler: 'w.handler', reservedConcurrency: 0 } },
      files: { 'w.mjs': WAITER },
    });
    await assert.rejects(
      runtime.invoke({ functionName: 'off' }),
      throttledWith('ReservedFunctionConcurrentInvocationLimitExceeded'),
    );
    assert.equal(runtime.pool('off')?.size, 0);
  });
});
