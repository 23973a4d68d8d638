import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { invokeJson, startRuntime } from '../helpers/tempApp.js';

describe('handler styles and module systems', () => {
  test('TypeScript ESM, async, importing another TypeScript file, no build step', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'src/app.handler' } },
      files: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the handler's source contains a template literal
        'src/lib/greet.ts': 'export const greet = (name: string): string => `hello ${name}`;',
        'src/app.ts': `import { greet } from './lib/greet.js';\nexport const handler = async (event: { name: string }) => ({ message: greet(event.name) });`,
      },
    });
    assert.deepEqual((await invokeJson(runtime, 'f', { name: 'ada' })).body, { message: 'hello ada' });
  });

  test('CommonJS .cjs with a callback', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: {
        'index.cjs': `const path = require('node:path');\nexports.handler = (event, context, callback) => callback(null, { base: path.basename(event.p) });`,
      },
    });
    assert.deepEqual((await invokeJson(runtime, 'f', { p: '/a/b.txt' })).body, { base: 'b.txt' });
  });

  test('ESM .mjs with top-level await finished before the first invoke', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: {
        'index.mjs': `const config = await Promise.resolve({ ready: true });\nexport const handler = async () => config;`,
      },
    });
    assert.deepEqual((await invokeJson(runtime, 'f')).body, { ready: true });
  });

  test('TypeScript compiled as CommonJS (.cts) with module.exports', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'h.handler' } },
      files: {
        'h.cts': `const handler = async (): Promise<string> => typeof __dirname;\nmodule.exports = { handler };`,
      },
    });
    assert.equal((await invokeJson(runtime, 'f')).body, 'string');
  });

  test('a nested export path (index.handlers.get)', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handlers.get' } },
      files: { 'index.mjs': 'export const handlers = { get: async () => "nested" };' },
    });
    assert.equal((await invokeJson(runtime, 'f')).body, 'nested');
  });

  test('with callbackWaitsForEmptyEventLoop (default) the response waits for pending timers', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: {
        'index.cjs': `exports.handler = (event, context, callback) => {
  setTimeout(() => console.log('timer ran'), 30);
  callback(null, 'done');
};`,
      },
    });
    const { body, result } = await invokeJson(runtime, 'f');
    assert.equal(body, 'done');
    assert.ok(
      result.record?.functionLog.some((line) => line.endsWith('\tINFO\ttimer ran')),
      'the timer ran before the response',
    );
    assert.ok((result.record?.durationMs ?? 0) >= 25);
  });

  test('with callbackWaitsForEmptyEventLoop = false the response is sent at once', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: {
        'index.cjs': `exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => console.log('timer ran'), 2000).unref();
  callback(null, 'now');
};`,
      },
    });
    const { body, result } = await invokeJson(runtime, 'f');
    assert.equal(body, 'now');
    assert.ok(!result.record?.functionLog.some((line) => line.includes('timer ran')));
    assert.ok((result.record?.durationMs ?? Infinity) < 1000);
  });

  test('the first callback decides, even when a later one comes before the event loop drains', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: {
        'index.cjs': `exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, 'second'), 5);
  callback(null, 'first');
};`,
      },
    });
    for (let i = 0; i < 5; i++) assert.equal((await invokeJson(runtime, 'f')).body, 'first');
  });

  test('context.succeed / context.fail still work (Node 20/22 runtimes keep them)', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { ok: { handler: 'a.handler' }, bad: { handler: 'b.handler' } },
      files: {
        'a.cjs': 'exports.handler = (event, context) => { context.succeed({ via: "succeed" }); };',
        'b.cjs': 'exports.handler = (event, context) => { context.fail(new TypeError("via fail")); };',
      },
    });
    assert.deepEqual((await invokeJson(runtime, 'ok')).body, { via: 'succeed' });
    const failed = await invokeJson(runtime, 'bad');
    assert.equal(failed.functionError, 'Unhandled');
    assert.deepEqual(
      { ...(failed.body as object), trace: undefined },
      { errorType: 'TypeError', errorMessage: 'via fail', trace: undefined },
    );
  });

  test('returning undefined answers null', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: { 'index.mjs': 'export const handler = async () => {};' },
    });
    const result = await runtime.invoke({ functionName: 'f' });
    assert.equal(result.payload, 'null');
  });
});

describe("handler errors as AWS's Node runtime reports them", () => {
  test('a thrown error: errorType, errorMessage and trace', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: { 'index.mjs': 'export const handler = async () => { x.y = 1; };' },
    });
    const { body, functionError, result } = await invokeJson(runtime, 'f');
    assert.equal(functionError, 'Unhandled');
    assert.equal(result.statusCode, 200);
    const doc = body as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(doc.errorType, 'ReferenceError');
    assert.equal(doc.errorMessage, 'x is not defined');
    assert.match(doc.trace[0] ?? '', /^ReferenceError: x is not defined/);
    assert.equal(result.record?.outcome, 'error');
  });

  test('a thrown string', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: { 'index.mjs': 'export const handler = async () => { throw "plain"; };' },
    });
    assert.deepEqual((await invokeJson(runtime, 'f')).body, { errorType: 'string', errorMessage: 'plain', trace: [] });
  });

  test('a missing module file: Runtime.ImportModuleError', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'src/nothere.handler' } }, files: {} });
    const { body, functionError } = await invokeJson(runtime, 'f');
    assert.equal(functionError, 'Unhandled');
    assert.deepEqual(body, {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Error: Cannot find module 'src/nothere'",
      trace: [],
    });
  });

  test('an import that cannot be resolved: Runtime.ImportModuleError (JS and TS)', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { js: { handler: 'a.handler' }, ts: { handler: 'b.handler' } },
      files: {
        'a.mjs': "import 'no-such-package-xyz';\nexport const handler = async () => 1;",
        'b.ts': "import { x } from './missing.js';\nexport const handler = async () => x;",
      },
    });
    for (const name of ['js', 'ts']) {
      const body = (await invokeJson(runtime, name)).body as { errorType: string; errorMessage: string };
      assert.equal(body.errorType, 'Runtime.ImportModuleError', name);
      assert.match(body.errorMessage, /no-such-package-xyz|missing/);
    }
  });

  test('a missing export: Runtime.HandlerNotFound', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' }, g: { handler: 'index.notAFunction' } },
      files: { 'index.mjs': 'export const other = async () => 1;\nexport const notAFunction = 42;' },
    });
    assert.deepEqual((await invokeJson(runtime, 'f')).body, {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is undefined or not exported',
      trace: [],
    });
    assert.equal(
      ((await invokeJson(runtime, 'g')).body as { errorMessage: string }).errorMessage,
      'index.notAFunction is not a function',
    );
  });

  test('a syntax error: Runtime.UserCodeSyntaxError (JS and TS)', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { js: { handler: 'a.handler' }, ts: { handler: 'b.handler' } },
      files: {
        'a.mjs': 'export const handler = async () => {{;',
        'b.ts': 'export const handler = async (: number) => 1;',
      },
    });
    for (const name of ['js', 'ts']) {
      const body = (await invokeJson(runtime, name)).body as { errorType: string };
      assert.equal(body.errorType, 'Runtime.UserCodeSyntaxError', name);
    }
  });

  test('an error at module load is reported with its own type, and Init runs again on the next invoke', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'index.handler' } },
      files: {
        'index.mjs': `import { writeFileSync, existsSync } from 'node:fs';
const marker = new URL('./attempted', import.meta.url);
if (!existsSync(marker)) { writeFileSync(marker, '1'); throw new RangeError('first init fails'); }
export const handler = async () => 'second init worked';`,
      },
    });
    const first = await invokeJson(runtime, 'f');
    assert.equal((first.body as { errorType: string }).errorType, 'RangeError');
    assert.equal(first.result.record?.outcome, 'crash');
    const second = await invokeJson(runtime, 'f');
    assert.equal(second.body, 'second init worked');
    assert.equal(second.result.record?.coldStart, true);
  });
});
