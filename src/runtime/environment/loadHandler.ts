import type { HandlerFunction } from './callHandler.js';
import { type ErrorDocument, runtimeError, toErrorDocument } from './errorDocument.js';

/** True when an import failed because a module could not be found, rather than because its code threw. */
function isModuleNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND')
  );
}

/**
 * Imports the handler's module (running its top-level code: Lambda's Init) and finds the export, with AWS's
 * error types: `Runtime.ImportModuleError`, `Runtime.UserCodeSyntaxError`, `Runtime.HandlerNotFound`, or the
 * thrown error's own type when top-level code throws.
 */
export async function loadHandler(
  moduleUrl: string,
  exportPath: string,
  handlerString: string,
): Promise<HandlerFunction | ErrorDocument> {
  let module: Record<string, unknown>;
  try {
    module = await import(moduleUrl);
  } catch (error) {
    if (isModuleNotFound(error)) {
      const message = error instanceof Error ? error.message : String(error);
      return runtimeError('Runtime.ImportModuleError', `Error: ${message}`, toErrorDocument(error).trace);
    }
    if (error instanceof SyntaxError) {
      return runtimeError('Runtime.UserCodeSyntaxError', `SyntaxError: ${error.message}`, toErrorDocument(error).trace);
    }
    return toErrorDocument(error);
  }
  const lookup = (root: unknown): unknown =>
    exportPath
      .split('.')
      .reduce<unknown>(
        (value, key) =>
          value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
        root,
      );
  // A CommonJS module's exports arrive as `default`; named ones are also detected statically by Node.
  const found = lookup(module) ?? lookup(module.default);
  if (found === undefined) {
    return runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  if (typeof found !== 'function') {
    return runtimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  }
  return found as HandlerFunction;
}
