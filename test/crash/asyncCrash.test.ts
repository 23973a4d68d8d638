import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { TEST_CREDENTIALS } from '../helpers/devApp.js';
import { startDevProcess, waitFor } from '../helpers/devProcess.js';
import { configFile, tempApp } from '../helpers/tempApp.js';

const N = 80;

test('kill -9 with accepted async events: after a restart every event ran or reached onFailure', {
  timeout: 120_000,
}, async (t) => {
  const dir = await tempApp(t, {
    'package.json': '{"type":"module"}',
    'tributary.config.ts': configFile({
      name: 'crash',
      functions: {
        work: {
          handler: 'work.handler',
          reservedConcurrency: 4,
          async: { maximumRetryAttempts: 0, onFailure: { queue: 'dlq' } },
        },
      },
    }),
    // Every tenth event fails (and goes to the DLQ); the others record that they ran. Each takes ~25 ms.
    'work.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  await new Promise((r) => setTimeout(r, 25));
  if (event.i % 10 === 0) throw new Error('poison ' + event.i);
  appendFileSync(new URL('./ran.log', import.meta.url), event.i + '\\n');
  return event.i;
};`,
  });
  await symlink(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
  const ran = (): number[] =>
    existsSync(join(dir, 'ran.log'))
      ? readFileSync(join(dir, 'ran.log'), 'utf8').trim().split('\n').filter(Boolean).map(Number)
      : [];
  const failed = (): number[] => {
    const file = join(dir, '.tributary', 'queues', 'dlq.ndjson');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { requestPayload: { i: number } }).requestPayload.i);
  };

  let dev = await startDevProcess(dir);
  t.after(() => dev.child.kill('SIGKILL'));
  const lambda = new LambdaClient({
    endpoint: dev.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const accepted = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      lambda.send(new InvokeCommand({ FunctionName: 'work', InvocationType: 'Event', Payload: JSON.stringify({ i }) })),
    ),
  );
  lambda.destroy();
  assert.ok(accepted.every((a) => a.StatusCode === 202));

  // Kill -9 part-way through the backlog.
  assert.ok(await waitFor(() => ran().length >= 10, 30_000), 'some events ran before the kill');
  dev.child.kill('SIGKILL');
  await once(dev.child, 'exit');
  const beforeRestart = ran().length + failed().length;
  assert.ok(beforeRestart < N, `the kill came mid-way (${beforeRestart} of ${N} done)`);

  dev = await startDevProcess(dir);
  const expected = Array.from({ length: N }, (_, i) => i);
  const complete = (): boolean => {
    const done = new Set([...ran(), ...failed()]);
    return expected.every((i) => done.has(i));
  };
  assert.ok(await waitFor(complete, 60_000), 'every accepted event ran or reached the failure destination');
  dev.child.kill('SIGINT');
  await once(dev.child, 'exit');

  const runs = ran();
  const duplicates = runs.length - new Set(runs).size;
  const dlq = failed();
  assert.equal(new Set(dlq).size, N / 10, 'each poison event reached the DLQ');
  assert.ok(dlq.every((i) => i % 10 === 0));
  t.diagnostic(
    `${N} accepted; ${beforeRestart} settled before kill -9; after restart all settled; duplicate runs: ${duplicates} (at-least-once: events running at the kill run again); DLQ duplicates: ${dlq.length - new Set(dlq).size}`,
  );
  assert.ok(
    duplicates <= 4 + 1,
    `duplicates are bounded by what was running at the kill (reserved concurrency 4): ${duplicates}`,
  );
});
