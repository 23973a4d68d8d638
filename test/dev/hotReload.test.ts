import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DevSession } from '../../src/dev/devSession.js';
import { configFile, tempApp } from '../helpers/tempApp.js';

const config = {
  name: 'reload',
  functions: { a: { handler: 'src/a.handler' }, b: { handler: 'src/b.handler' } },
};

function counter(label: string, importLine = '', value = 'label'): string {
  return `${importLine}\nconst label = ${JSON.stringify(label)};\nlet count = 0;\nexport const handler = async () => ({ value: ${value}, count: ++count });`;
}

async function session(t: import('node:test').TestContext, dir: string): Promise<DevSession> {
  const started = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: 0 });
  t.after(() => started.stop());
  return started;
}

/** The two-function TypeScript app most tests use, running with a file watcher; `files` override its files. */
async function reloadApp(
  t: import('node:test').TestContext,
  files: Record<string, string> = {},
): Promise<{ dir: string; s: DevSession }> {
  const dir = await tempApp(t, {
    'package.json': '{"type":"module"}',
    'tributary.config.ts': configFile(config),
    'src/a.ts': counter('a'),
    'src/b.ts': counter('b'),
    ...files,
  });
  return { dir, s: await session(t, dir) };
}

async function invoke(
  s: DevSession,
  name: string,
): Promise<{ value: string; count: number; cold: boolean | undefined }> {
  const result = await s.runtime.invoke({ functionName: name });
  return { ...(JSON.parse(result.payload) as { value: string; count: number }), cold: result.record?.coldStart };
}

describe('hot reload', () => {
  test("a change to a file a function imports recycles that function's environments only", async (t) => {
    const { dir, s } = await reloadApp(t, {
      'src/lib/shared.ts': 'export const word = "one";',
      'src/a.ts': counter('a', "import { word } from './lib/shared.js';", 'word'),
    });
    assert.deepEqual(await invoke(s, 'a'), { value: 'one', count: 1, cold: true });
    assert.deepEqual(await invoke(s, 'b'), { value: 'b', count: 1, cold: true });
    assert.deepEqual(await invoke(s, 'b'), { value: 'b', count: 2, cold: false });

    const reloaded = once(s.runtime.events, 'reload');
    await writeFile(join(dir, 'src/lib/shared.ts'), 'export const word = "two";');
    const [event] = (await reloaded) as [{ functionName: string; file: string }];
    assert.deepEqual(event, { functionName: 'a', file: join(dir, 'src/lib/shared.ts') });

    assert.deepEqual(
      await invoke(s, 'a'),
      { value: 'two', count: 1, cold: true },
      'a runs the new code in a fresh environment',
    );
    assert.deepEqual(
      await invoke(s, 'b'),
      { value: 'b', count: 3, cold: false },
      'b kept its warm environment and state',
    );
  });

  test('two saves in quick succession: the last one is what runs', async (t) => {
    const { dir, s } = await reloadApp(t, { 'src/a.ts': counter('v1') });
    assert.equal((await invoke(s, 'a')).value, 'v1');
    const reloaded = once(s.runtime.events, 'reload');
    await writeFile(join(dir, 'src/a.ts'), counter('v2'));
    await writeFile(join(dir, 'src/a.ts'), counter('v3'));
    await reloaded;
    assert.equal((await invoke(s, 'a')).value, 'v3');
  });

  test('plain JavaScript handlers reload too', async (t) => {
    const dir = await tempApp(t, {
      'package.json': '{"type":"module"}',
      'tributary.config.mjs': `export default ${JSON.stringify({ name: 'js', functions: { a: { handler: 'a.handler' } } })};`,
      'a.mjs': 'export const handler = async () => ({ value: "v1", count: 0 });',
    });
    const s = await session(t, dir);
    assert.equal((await invoke(s, 'a')).value, 'v1');
    const reloaded = once(s.runtime.events, 'reload');
    await writeFile(join(dir, 'a.mjs'), 'export const handler = async () => ({ value: "v2", count: 0 });');
    await reloaded;
    assert.equal((await invoke(s, 'a')).value, 'v2');
  });

  test('a broken edit reports the error; fixing it recovers without a restart', async (t) => {
    const { dir, s } = await reloadApp(t);
    await invoke(s, 'a');
    let reloaded = once(s.runtime.events, 'reload');
    await writeFile(join(dir, 'src/a.ts'), 'export const handler = async ( => 1;');
    await reloaded;
    const broken = await s.runtime.invoke({ functionName: 'a' });
    assert.equal((JSON.parse(broken.payload) as { errorType: string }).errorType, 'Runtime.UserCodeSyntaxError');
    reloaded = once(s.runtime.events, 'reload');
    await writeFile(join(dir, 'src/a.ts'), counter('fixed'));
    await reloaded;
    assert.equal((await invoke(s, 'a')).value, 'fixed');
  });

  test('a config change reloads the app; an invalid one keeps the previous app running', async (t) => {
    const { dir, s } = await reloadApp(t);
    assert.equal(s.app.model.functions.a?.timeout, 3);
    const failed = once(s.events, 'config-error');
    await writeFile(
      join(dir, 'tributary.config.ts'),
      configFile({ ...config, functions: { a: { handler: 'src/a.handler', timeout: 0 } } }),
    );
    const [error] = (await failed) as [Error];
    assert.match(error.message, /functions\.a\.timeout/);
    assert.equal((await invoke(s, 'b')).value, 'b', 'the previous app still serves');

    const reloaded = once(s.events, 'config-reloaded');
    await writeFile(
      join(dir, 'tributary.config.ts'),
      configFile({ ...config, functions: { ...config.functions, a: { handler: 'src/a.handler', timeout: 9 } } }),
    );
    await reloaded;
    assert.equal(s.app.model.functions.a?.timeout, 9);
    assert.equal((await invoke(s, 'a')).value, 'a');
  });
});
