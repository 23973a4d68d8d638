import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startDevApp } from '../helpers/devApp.js';
import { openGate } from '../helpers/gate.js';

// The L1 imports the helper from the build, as an app imports tributary/aggregate.
const helper = pathToFileURL(join(process.cwd(), 'dist', 'aggregate', 'index.js')).href;

const files = (gateUrl: string) => ({
  'l1.mjs': `
import { LambdaClient } from '@aws-sdk/client-lambda';
import { fanOut, BranchFailure } from '${helper}';
const lambda = new LambdaClient({});
export const handler = async (event, context) => {
  const branches = {
    fast: { function: 'fast', payload: { id: event.id } },
    broken: { function: 'broken', required: event.brokenRequired === true },
    ...(event.withSlow ? { slow: { function: 'slow', required: false } } : {}),
  };
  try {
    const result = await fanOut(branches, context, { lambda, safetyMarginMs: event.margin ?? 250, mode: event.mode ?? 'sync', transport: event.transport ?? 'auto' });
    return { values: result.values, complete: result.complete, budgetMs: result.budgetMs,
      errors: Object.fromEntries(Object.entries(result.outcomes).filter(([, o]) => !o.ok).map(([k, o]) => [k, { error: o.error, timedOut: o.timedOut }])) };
  } catch (error) {
    if (error instanceof BranchFailure) return { failed: error.message };
    throw error;
  }
};`,
  'fast.mjs': 'export const handler = async (event) => ({ id: event.id, source: "fast" });',
  'broken.mjs': 'export const handler = async () => { throw new Error("inventory is down"); };',
  'slow.mjs': `export const handler = async () => { await fetch('${gateUrl}'); return 'late'; };`,
});

const functions = {
  l1: { handler: 'l1.handler', timeout: 3 },
  fast: { handler: 'fast.handler' },
  broken: { handler: 'broken.handler' },
  slow: { handler: 'slow.handler', timeout: 30 },
};

test('fanOut: parallel branches, partial results, required failures, deadlines from the L1 remaining time, async mode', async (t) => {
  const gate = await openGate(t);
  const { session } = await startDevApp(t, { functions, files: files(gate.url), config: {} });
  const invoke = async (event: unknown) =>
    JSON.parse(
      (await session.runtime.invoke({ functionName: 'l1', payload: JSON.stringify(event) })).payload,
    ) as Record<
      string,
      // biome-ignore lint/suspicious/noExplicitAny: results are checked field by field
      any
    >;

  const partial = await invoke({ id: 'c-1' });
  assert.deepEqual(partial.values, { fast: { id: 'c-1', source: 'fast' } });
  assert.equal(partial.complete, false);
  assert.deepEqual(partial.errors.broken, { error: 'inventory is down', timedOut: false });
  assert.ok(partial.budgetMs > 2_000 && partial.budgetMs <= 2_750, `budget ${partial.budgetMs}`);

  const required = await invoke({ id: 'c-2', brokenRequired: true });
  assert.match(required.failed, /Required branches failed: broken \(inventory is down\)/);

  // A branch that outlives its budget: the L1 gets a timed-out outcome and still answers in time.
  const slow = await invoke({ id: 'c-3', withSlow: true, margin: 2_700 });
  assert.equal(slow.errors.slow.timedOut, true);
  assert.deepEqual(slow.values.fast, { id: 'c-3', source: 'fast' });
  gate.release();

  const accepted = await invoke({ id: 'c-4', mode: 'async' });
  assert.deepEqual(accepted.values, {});
  assert.equal(accepted.errors.broken, undefined, 'async mode reports acceptance, not the result');
  const l1 = session.runtime.records.list({ functionName: 'l1' });
  const children = session.runtime.records.list().filter((r) => r.parentRequestId === l1[0]?.requestId);
  assert.deepEqual(children.map((r) => r.functionName).sort(), ['broken', 'fast'], 'branches are linked to their L1');

  // The same fan-out through the AWS SDK (the transport used on AWS) answers the same, with the same lineage.
  const viaSdk = await invoke({ id: 'c-5', transport: 'sdk' });
  assert.deepEqual(viaSdk.values, { fast: { id: 'c-5', source: 'fast' } });
  assert.deepEqual(viaSdk.errors.broken, { error: 'inventory is down', timedOut: false });
  const sdkL1 = session.runtime.records.list({ functionName: 'l1' }).at(-1);
  const sdkChildren = session.runtime.records.list().filter((r) => r.parentRequestId === sdkL1?.requestId);
  assert.deepEqual(sdkChildren.map((r) => r.functionName).sort(), ['broken', 'fast']);
});
