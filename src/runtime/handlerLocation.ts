import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Where a handler string points: the module (without extension) and the export path. */
export interface HandlerLocation {
  /** Absolute module path without extension, e.g. `/app/src/orders`. */
  readonly modulePath: string;
  /** As written in the config, relative to the app: `src/orders`. */
  readonly moduleName: string;
  /** `handler`, or `handlers.get` for a nested export. */
  readonly exportPath: string;
}

/** Extensions tried in order: Lambda's Node runtime tries .js, .mjs, .cjs; TypeScript is Tributary's addition. */
export const HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

/**
 * Splits `path/file.export` as Lambda's Node runtime does: the module is everything before the first dot
 * of the last path segment; the rest is the export (dots reach into nested objects).
 */
export function parseHandler(appDir: string, handler: string): HandlerLocation {
  const dir = dirname(handler);
  const last = basename(handler);
  const dot = last.indexOf('.');
  const moduleName = join(dir, last.slice(0, dot));
  return { modulePath: join(appDir, moduleName), moduleName, exportPath: last.slice(dot + 1) };
}

/** The first existing file for the module, or undefined (Lambda's Runtime.ImportModuleError). */
export function findHandlerFile(location: HandlerLocation): string | undefined {
  for (const ext of HANDLER_EXTENSIONS) {
    const file = `${location.modulePath}${ext}`;
    if (existsSync(file)) return file;
  }
  return undefined;
}
