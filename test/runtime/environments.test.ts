import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/shared/clock.js';
import { openGate } from '../helpers/gate.js';
import { invokeJson, startRuntime } from '../helpers/tempApp.js';

const COUNTER = `let count = 0;
export const handler = async (event) => { count += 1; if (event.gate) await fetch(event.gate); return count; };`;

describe('execution environments', () => {
  test('warm environments are reused and keep module state between invocations', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'c.handler' } },
      files: { 'c.mjs': COUNTER },
    });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await invokeJson(runtime, 'f'));
    assert.deepEqual(
      results.map((r) => r.body),
      [1, 2, 3],
    );
    assert.deepEqual(
      results.map((r) => r.result.record?.coldStart),
      [true, false, false],
    );
    assert.equal(runtime.pool('f')?.size, 1);
  });

  test('concurrent invocations get environments of their own (one in flight per environment)', async (t) => {
    const gate = await openGate(t);
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'c.handler' } },
      files: { 'c.mjs': COUNTER },
    });
    const payload = JSON.stringify({ gate: gate.url });
    const running = Array.from({ length: 3 }, () => runtime.invoke({ functionName: 'f', payload }));
    await gate.arrived(3);
    gate.release();
    const results = await Promise.all(running);
    assert.deepEqual(
      results.map((r) => r.payload),
      ['1', '1', '1'],
    );
    assert.equal(new Set(results.map((r) => r.record?.environmentId)).size, 3);
    assert.equal(runtime.pool('f')?.size, 3);
  });

  test('idle environments are reaped after the idle timeout; the next invoke is a cold start', async (t) => {
    const clock = new ManualClock();
    const { runtime } = await startRuntime(t, {
      clock,
      idleTimeoutMs: 5 * 60_000,
      functions: { f: { handler: 'c.handler' } },
      files: { 'c.mjs': COUNTER },
    });
    const first = await invokeJson(runtime, 'f');
    const environmentId = first.result.record?.environmentId;
    const reaped = new Promise<void>((resolve) =>
      runtime.events.on(
        'environment',
        (e) => e.change === 'destroyed' && e.environmentId === environmentId && resolve(),
      ),
    );
    clock.advance(5 * 60_000 - 1);
    assert.equal(runtime.pool('f')?.size, 1, 'still warm just before the timeout');
    clock.advance(1);
    await reaped;
    assert.equal(runtime.pool('f')?.size, 0);
    const next = await invokeJson(runtime, 'f');
    assert.equal(next.body, 1);
    assert.equal(next.result.record?.coldStart, true);
  });

  test('an invocation resets the idle timer', async (t) => {
    const clock = new ManualClock();
    const { runtime } = await startRuntime(t, {
      clock,
      idleTimeoutMs: 1000,
      functions: { f: { handler: 'c.handler' } },
      files: { 'c.mjs': COUNTER },
    });
    await invokeJson(runtime, 'f');
    clock.advance(900);
    await invokeJson(runtime, 'f');
    clock.advance(900);
    const third = await invokeJson(runtime, 'f');
    assert.equal(third.body, 3);
    assert.equal(third.result.record?.coldStart, false);
  });

  test('dispose drains in-flight invocations before stopping environments, and refuses new ones', async (t) => {
    const gate = await openGate(t);
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'c.handler' } },
      files: { 'c.mjs': COUNTER },
    });
    const inFlight = runtime.invoke({ functionName: 'f', payload: JSON.stringify({ gate: gate.url }) });
    await gate.arrived(1);
    let disposed = false;
    const disposing = runtime.dispose().then(() => {
      disposed = true;
    });
    await assert.rejects(runtime.invoke({ functionName: 'f' }), /The runtime is stopped/);
    assert.equal(disposed, false, 'dispose waits for the running invocation');
    gate.release();
    assert.equal((await inFlight).payload, '1');
    await disposing;
    assert.equal(runtime.pool('f')?.size, 0);
  });
});
