import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadApp } from '../../src/model/loadApp.js';
import { isTributaryError } from '../../src/shared/tributaryError.js';
import { tempApp } from '../helpers/tempApp.js';

const fn = { hello: { handler: 'hello.handler' } };

describe('loadApp', () => {
  for (const [file, source] of [
    [
      'tributary.config.ts',
      `const timeout: number = 7;\nexport default { name: 'ts-app', functions: { hello: { handler: 'hello.handler', timeout } } };`,
    ],
    [
      'tributary.config.mjs',
      `export default { name: 'mjs-app', functions: { hello: { handler: 'hello.handler', timeout: 7 } } };`,
    ],
    [
      'tributary.config.js',
      `export default { name: 'js-app', functions: { hello: { handler: 'hello.handler', timeout: 7 } } };`,
    ],
    [
      'tributary.config.cjs',
      `module.exports = { name: 'cjs-app', functions: { hello: { handler: 'hello.handler', timeout: 7 } } };`,
    ],
  ] as const) {
    test(`loads ${file} without a build step and without importing tributary`, async (t) => {
      const dir = await tempApp(t, { [file]: source, 'package.json': '{"type":"module"}' });
      const app = await loadApp(dir, { buildDir: join(dir, '.tributary/build') });
      assert.equal(app.model.functions.hello?.timeout, 7);
      assert.equal(app.configFile, join(dir, file));
    });
  }

  test('loads a config written with defineApp from the tributary package', async (t) => {
    // The temp app resolves `tributary` through a symlinked node_modules, as an installed package would.
    const dir = await tempApp(t, {
      'tributary.config.ts': `import { defineApp } from 'tributary';\nexport default defineApp({ name: 'typed', functions: ${JSON.stringify(fn)} });`,
    });
    const { symlink, mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'node_modules'));
    await symlink(process.cwd(), join(dir, 'node_modules', 'tributary'));
    const app = await loadApp(dir, { buildDir: join(dir, '.tributary/build') });
    assert.equal(app.model.name, 'typed');
  });

  test('says where to start when there is no config', async (t) => {
    const dir = await tempApp(t, { 'readme.txt': 'empty' });
    await assert.rejects(loadApp(dir, { buildDir: join(dir, 'b') }), (error) => {
      assert.ok(isTributaryError(error, 'ERR_CONFIG_NOT_FOUND'));
      assert.match(error.hint ?? '', /tributary\.config\.ts/);
      return true;
    });
  });

  test('reports a config that does not compile, with its location', async (t) => {
    const dir = await tempApp(t, { 'tributary.config.ts': 'export default { name: "x", functions: { ,, } };' });
    await assert.rejects(loadApp(dir, { buildDir: join(dir, 'b') }), (error) => {
      assert.ok(isTributaryError(error, 'ERR_CONFIG_LOAD'));
      assert.match(error.message, /tributary\.config\.ts:1:\d+/);
      return true;
    });
  });

  test('reports a config that throws when evaluated', async (t) => {
    const dir = await tempApp(t, { 'tributary.config.mjs': 'throw new Error("boom at load");' });
    await assert.rejects(loadApp(dir, { buildDir: join(dir, 'b') }), /boom at load/);
  });

  test('reports a config without a default export', async (t) => {
    const dir = await tempApp(t, { 'tributary.config.mjs': 'export const app = {};' });
    await assert.rejects(loadApp(dir, { buildDir: join(dir, 'b') }), /has no default export/);
  });

  test('validates what it loads', async (t) => {
    const dir = await tempApp(t, {
      'tributary.config.mjs': 'export default { name: "a", functions: { f: { handler: "a.h", timeout: 0 } } };',
    });
    await assert.rejects(loadApp(dir, { buildDir: join(dir, 'b') }), (error) => {
      assert.ok(isTributaryError(error, 'ERR_CONFIG_INVALID'));
      assert.match(error.message, /functions\.f\.timeout/);
      return true;
    });
  });
});
