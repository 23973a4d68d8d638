/**
 * The error document Lambda's Node.js runtime returns for a failed invocation, e.g.
 * `{"errorType":"ReferenceError","errorMessage":"x is not defined","trace":["ReferenceError: ...", "    at ..."]}`.
 */
export interface ErrorDocument {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** Builds the document for whatever a handler threw or passed to its callback, as the Node runtime does. */
export function toErrorDocument(thrown: unknown): ErrorDocument {
  if (thrown instanceof Error) {
    return {
      errorType: thrown.name && thrown.name !== 'Error' ? thrown.name : (thrown.constructor?.name ?? 'Error'),
      errorMessage: thrown.message,
      trace: (thrown.stack ?? '').split('\n'),
    };
  }
  if (typeof thrown === 'string') return { errorType: 'string', errorMessage: thrown, trace: [] };
  let message: string;
  try {
    message = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    message = String(thrown);
  }
  return { errorType: typeof thrown, errorMessage: message, trace: [] };
}

/** An error document whose type is one of the runtime's own (`Runtime.HandlerNotFound`, ...). */
export function runtimeError(errorType: string, errorMessage: string, trace: readonly string[] = []): ErrorDocument {
  return { errorType, errorMessage, trace };
}
