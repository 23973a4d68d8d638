import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadApp } from '../../src/model/loadApp.js';
import { FunctionRuntime } from '../../src/runtime/functionRuntime.js';
import type { Clock } from '../../src/shared/clock.js';
import { cleanup } from './cleanup.js';

/** Files of an app, by path relative to the app folder. */
export type AppFiles = Record<string, string>;

/** Writes an app into a fresh temporary folder, removed when the test ends. */
export async function tempApp(t: TestContext, files: AppFiles): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-test-'));
  cleanup(t, () => rm(dir, { recursive: true, force: true }));
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(dir: string, files: AppFiles): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** A config file exporting `config` as plain JSON (no import), the smallest valid form. */
export function configFile(config: unknown): string {
  return `export default ${JSON.stringify(config, null, 2)};\n`;
}

export interface RuntimeFixture {
  readonly dir: string;
  readonly runtime: FunctionRuntime;
}

/**
 * An app with the given functions (name -> handler string) and files, and a runtime over it that is
 * disposed when the test ends; the test fails if disposing leaves environments alive.
 */
export async function startRuntime(
  t: TestContext,
  options: {
    functions: Record<string, unknown>;
    files: AppFiles;
    clock?: Clock;
    config?: Record<string, unknown>;
    idleTimeoutMs?: number;
  },
): Promise<RuntimeFixture> {
  const dir = await tempApp(t, {
    ...options.files,
    'package.json': '{ "type": "module" }',
    'tributary.config.ts': configFile({ name: 'test-app', ...options.config, functions: options.functions }),
  });
  const app = await loadApp(dir, { buildDir: join(dir, '.tributary', 'build') });
  const runtime = new FunctionRuntime({
    app,
    dataDir: join(dir, '.tributary'),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
  });
  runtime.start();
  const alive = new Set<string>();
  runtime.events.on('environment', (e) =>
    e.change === 'created' ? alive.add(e.environmentId) : alive.delete(e.environmentId),
  );
  cleanup(t, async () => {
    await runtime.dispose();
    if (alive.size > 0) throw new Error(`runtime left ${alive.size} environment(s) alive after dispose`);
  });
  return { dir, runtime };
}

/** Invokes with a JSON value and parses the answer. */
export async function invokeJson(
  runtime: FunctionRuntime,
  functionName: string,
  event: unknown = {},
): Promise<{
  body: unknown;
  functionError: string | undefined;
  result: Awaited<ReturnType<FunctionRuntime['invoke']>>;
}> {
  const result = await runtime.invoke({ functionName, payload: JSON.stringify(event) });
  return { body: JSON.parse(result.payload), functionError: result.functionError, result };
}
