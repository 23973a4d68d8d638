import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/shared/clock.js';
import { invokeJson, startRuntime } from '../helpers/tempApp.js';

const COUNTER =
  'let invocations = 0;\nexport const handler = async (event) => { invocations += 1; if (event.hang) await new Promise(() => setInterval(() => {}, 1000)); return { invocations }; };';

describe('timeouts', () => {
  test('at the deadline the environment is destroyed and the answer is "Task timed out after N.NN seconds"', async (t) => {
    const clock = new ManualClock();
    const { runtime } = await startRuntime(t, {
      clock,
      functions: { f: { handler: 'h.handler', timeout: 4 } },
      files: { 'h.mjs': COUNTER },
    });
    assert.deepEqual((await invokeJson(runtime, 'f')).body, { invocations: 1 });

    const started = once(runtime.events, 'invoke-start');
    const pending = runtime.invoke({ functionName: 'f', payload: '{"hang":true}' });
    const [{ environmentId }] = (await started) as [{ environmentId: string }];
    const destroyed = new Promise<void>((resolve) =>
      runtime.events.on(
        'environment',
        (e) => e.change === 'destroyed' && e.environmentId === environmentId && resolve(),
      ),
    );
    clock.advance(3999);
    clock.advance(1);
    const result = await pending;

    assert.equal(result.functionError, 'Unhandled');
    assert.deepEqual(JSON.parse(result.payload), {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 4.00 seconds`,
    });
    assert.equal(result.record?.outcome, 'timeout');
    assert.ok(
      result.record?.functionLog.some((l) => l.endsWith(`${result.requestId} Task timed out after 4.00 seconds`)),
    );
    assert.equal(result.record?.billedDurationMs, 4000);
    await destroyed; // the timed-out environment was destroyed, not just abandoned

    const next = await invokeJson(runtime, 'f');
    assert.deepEqual(next.body, { invocations: 1 }, 'module state starts over in a fresh environment');
    assert.equal(next.result.record?.coldStart, true);
  });

  test('no timer is left behind after an invocation that finished in time', async (t) => {
    const clock = new ManualClock();
    const { runtime } = await startRuntime(t, {
      clock,
      idleTimeoutMs: 60_000,
      functions: { f: { handler: 'h.handler' } },
      files: { 'h.mjs': COUNTER },
    });
    await invokeJson(runtime, 'f');
    assert.equal(clock.pendingTimers, 1, 'only the idle reaper of the warm environment');
  });
});

describe('crashes never take the runtime down', () => {
  const cases = [
    {
      name: 'an uncaught exception in a callback',
      code: 'export const handler = () => new Promise(() => setTimeout(() => { throw new TypeError("late boom"); }, 1));',
      expect: { errorType: 'TypeError', errorMessage: 'late boom' },
    },
    {
      name: 'an unhandled rejection',
      code: 'export const handler = () => { Promise.reject(new Error("nobody caught me")); return new Promise(() => setTimeout(() => {}, 60000)); };',
      expect: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: nobody caught me' },
    },
    {
      name: 'process.exit(3)',
      code: 'export const handler = async (event, context) => { process.exit(3); };',
      expect: {
        errorType: 'Runtime.ExitError',
        errorMessage: /^RequestId: [0-9a-f-]+ Error: Runtime exited with error: exit status 3$/,
      },
    },
    {
      name: 'process.exit(0)',
      code: 'export const handler = async () => { process.exit(0); };',
      expect: { errorType: 'Runtime.ExitError', errorMessage: /Runtime exited without providing a reason$/ },
    },
  ];
  for (const { name, code, expect } of cases) {
    test(name, async (t) => {
      const { runtime } = await startRuntime(t, {
        functions: { bad: { handler: 'bad.handler' }, good: { handler: 'good.handler' } },
        files: { 'bad.mjs': code, 'good.mjs': 'export const handler = async () => "still here";' },
      });
      const { body, functionError, result } = await invokeJson(runtime, 'bad');
      assert.equal(functionError, 'Unhandled');
      const doc = body as { errorType: string; errorMessage: string };
      assert.equal(doc.errorType, expect.errorType);
      if (typeof expect.errorMessage === 'string') assert.equal(doc.errorMessage, expect.errorMessage);
      else assert.match(doc.errorMessage, expect.errorMessage);
      assert.equal(result.record?.outcome, 'crash');
      assert.equal((await invokeJson(runtime, 'good')).body, 'still here');
      const again = await invokeJson(runtime, 'bad');
      assert.equal(again.result.record?.coldStart, true, 'the crashed environment was replaced');
    });
  }
});
