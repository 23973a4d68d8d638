import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompileFailure, compileModule } from '../compile/compileModule.js';
import { TributaryError } from '../shared/tributaryError.js';
import type { AppModel } from './appSchema.js';
import { parseApp } from './defineApp.js';

/** Config file names, in the order they are looked for. */
export const CONFIG_FILE_NAMES = [
  'tributary.config.ts',
  'tributary.config.mts',
  'tributary.config.js',
  'tributary.config.mjs',
  'tributary.config.cjs',
] as const;

/** An app folder with its validated model. */
export interface LoadedApp {
  /** Absolute path of the app folder; handler paths are relative to it. */
  readonly dir: string;
  readonly configFile: string;
  readonly model: AppModel;
}

/** Finds the config file in `appDir`, or throws ERR_CONFIG_NOT_FOUND. */
export function findConfigFile(appDir: string): string {
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(appDir, name);
    if (existsSync(file)) return file;
  }
  throw new TributaryError('ERR_CONFIG_NOT_FOUND', `No tributary config in ${appDir}`, {
    hint: `Create ${CONFIG_FILE_NAMES[0]} there with \`export default defineApp({ name: 'my-app', functions: {} })\`.`,
  });
}

/**
 * Loads `tributary.config.*` from an app folder without a build step (TypeScript included), validates it
 * and returns the immutable model. A plain `export default { ... }` works as well as `defineApp(...)`.
 *
 * @example
 * const app = await loadApp('examples/acme', { buildDir: 'examples/acme/.tributary/build' });
 * Object.keys(app.model.functions); // ['overview', 'profile', ...]
 */
export async function loadApp(appDir: string, options: { buildDir: string }): Promise<LoadedApp> {
  const dir = resolve(appDir);
  const configFile = findConfigFile(dir);
  let exported: unknown;
  try {
    const compiled = await compileModule(configFile, join(resolve(options.buildDir), 'tributary.config'));
    // The query defeats Node's module cache, so a changed config is read again in the same process.
    const module: Record<string, unknown> = await import(`${pathToFileURL(compiled.file).href}?t=${Date.now()}`);
    exported = module.default;
  } catch (error) {
    const detail = error instanceof CompileFailure || error instanceof Error ? error.message : String(error);
    throw new TributaryError('ERR_CONFIG_LOAD', `Could not load ${configFile}:\n${detail}`, {
      hint: 'Fix the error above in the config file.',
      cause: error,
    });
  }
  // A CommonJS config's module.exports arrives as `default`; an ESM config compiled to CJS nests it once more.
  if (exported !== null && typeof exported === 'object' && 'default' in exported && !('name' in exported)) {
    exported = exported.default;
  }
  if (exported === undefined) {
    throw new TributaryError('ERR_CONFIG_LOAD', `${configFile} has no default export`, {
      hint: 'End the file with `export default defineApp({ ... })` (or `module.exports = { ... }`).',
    });
  }
  return { dir, configFile, model: parseApp(exported, configFile) };
}
