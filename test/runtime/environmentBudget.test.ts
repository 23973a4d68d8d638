import assert from 'node:assert/strict';
import { test } from 'node:test';
import { machineHasRoom } from '../../src/runtime/environmentBudget.js';
import { startDevApp } from '../helpers/devApp.js';
import { openGate } from '../helpers/gate.js';

test('the environment ceiling: idle environments make room; past it, a cold start waits instead of crashing the process', async (t) => {
  const gate = await openGate(t);
  const { session } = await startDevApp(t, {
    functions: { wait: { handler: 'wait.handler', timeout: 30 }, quick: { handler: 'quick.handler' } },
    files: {
      'wait.mjs': `export const handler = async () => { await fetch('${gate.url}'); return 'released'; };`,
      'quick.mjs': 'export const handler = async () => "quick";',
    },
    session: { environmentCeiling: 2 },
  });
  const { runtime } = session;
  assert.equal(runtime.budget.ceiling, 2);
  await runtime.invoke({ functionName: 'quick' });
  assert.equal(runtime.budget.inUse, 1, 'quick stays warm');
  // Two waiting invocations: the second needs the idle quick environment's place, which is given up for it.
  const first = runtime.invoke({ functionName: 'wait' });
  const second = runtime.invoke({ functionName: 'wait' });
  await gate.arrived(2);
  assert.equal(runtime.pool('quick')?.size, 0, 'the idle environment was stopped to make room');
  // A third has no room: it waits for an environment to end, and still runs.
  let thirdDone = false;
  const third = runtime.invoke({ functionName: 'quick' }).then((result) => {
    thirdDone = true;
    return result;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(thirdDone, false);
  assert.equal(runtime.budget.inUse, 2);
  gate.release();
  assert.equal((await first).payload, '"released"');
  assert.equal((await second).payload, '"released"');
  assert.equal((await third).payload, '"quick"');
  assert.ok(runtime.budget.inUse <= 2);
  assert.equal(machineHasRoom(10), true, 'a few environments always fit');
});
