import { TributaryError } from '../shared/tributaryError.js';
import { type AppConfig, type AppModel, AppSchema } from './appSchema.js';
import { formatConfigProblems, toConfigProblems } from './configProblems.js';

/**
 * Declares an app. It only gives `tributary.config.ts` its types; validation happens when the app is loaded,
 * so `export default { ... }` without this import works the same.
 *
 * @example
 * import { defineApp } from 'tributary';
 * export default defineApp({
 *   name: 'acme',
 *   functions: { hello: { handler: 'src/hello.handler', timeout: 10 } },
 * });
 */
export function defineApp<const T extends AppConfig>(config: T): T {
  return config;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Validates a config and returns the immutable model, with every default filled in.
 * Throws one `ERR_CONFIG_INVALID` error that lists every problem with its path.
 *
 * @example
 * const model = parseApp({ name: 'acme', functions: { hello: { handler: 'hello.handler' } } });
 * model.functions.hello?.timeout; // 3
 */
export function parseApp(config: unknown, source = 'The config'): AppModel {
  const result = AppSchema.safeParse(config, { reportInput: true });
  if (!result.success) {
    const problems = toConfigProblems(result.error.issues);
    throw new TributaryError('ERR_CONFIG_INVALID', formatConfigProblems(source, problems), {
      hint: 'Fix the settings listed above; see the README section "The app model" for every setting.',
    });
  }
  return deepFreeze(result.data);
}
