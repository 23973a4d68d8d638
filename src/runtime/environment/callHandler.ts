import { type ErrorDocument, toErrorDocument } from './errorDocument.js';
import { type ContextFields, createLambdaContext } from './lambdaContext.js';

export type HandlerFunction = (event: unknown, context: unknown, callback: unknown) => unknown;

export type HandlerOutcome =
  | { readonly ok: true; readonly payload: string }
  | { readonly ok: false; readonly error: ErrorDocument };

/** Counts of the event loop's active resources by type (`Timeout`, `TCPWrap`, `MessagePort`, ...). */
export type ResourceCounts = ReadonlyMap<string, number>;

/**
 * The active resources now. `CloseReq` is left out: a transient of worker start-up, not the user's.
 */
export function countActiveResources(): ResourceCounts {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    if (type !== 'CloseReq') counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

/**
 * Resolves once the event loop holds nothing beyond `baseline` (the environment's own plumbing, counted
 * before user code loaded). Polls with unref'd timers, which the count does not include.
 */
function eventLoopDrained(baseline: ResourceCounts): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const busy = [...countActiveResources()].some(([type, n]) => n > (baseline.get(type) ?? 0));
      if (busy) setTimeout(check, 1).unref();
      else resolve();
    };
    setTimeout(check, 0).unref();
  });
}

function serialize(result: unknown): HandlerOutcome {
  try {
    return { ok: true, payload: JSON.stringify(result === undefined ? null : result) ?? 'null' };
  } catch (error) {
    const cause = toErrorDocument(error);
    return { ok: false, error: { errorType: 'Runtime.SerializationError', errorMessage: cause.errorMessage } };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && 'then' in value;
}

/**
 * Calls a handler as Lambda's Node.js runtime does: an async handler's promise decides the outcome; otherwise the
 * callback (or `context.done/succeed/fail`) does, and with `callbackWaitsForEmptyEventLoop` (the default) the
 * response waits until the event loop is empty. A handler that neither returns a promise nor calls back
 * answers `null` once the event loop drains.
 */
export function callHandler(
  handler: HandlerFunction,
  event: unknown,
  fields: Omit<ContextFields, 'complete'>,
  baseline: ResourceCounts,
): Promise<HandlerOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: HandlerOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    // The first callback (or context.done/succeed/fail) decides, as in Lambda's runtime; later ones are ignored.
    let completed = false;
    const complete = (error: unknown, result?: unknown): void => {
      if (settled || completed) return;
      completed = true;
      const outcome: HandlerOutcome =
        error !== null && error !== undefined ? { ok: false, error: toErrorDocument(error) } : serialize(result);
      if (context.callbackWaitsForEmptyEventLoop) void eventLoopDrained(baseline).then(() => settle(outcome));
      else settle(outcome);
    };
    const context = createLambdaContext({ ...fields, complete });
    let returned: unknown;
    try {
      returned = handler(event, context, complete);
    } catch (error) {
      settle({ ok: false, error: toErrorDocument(error) });
      return;
    }
    if (isThenable(returned)) {
      Promise.resolve(returned).then(
        (value) => settle(serialize(value)),
        (error: unknown) => settle({ ok: false, error: toErrorDocument(error ?? 'undefined') }),
      );
    } else {
      // Neither a promise nor (yet) a callback: if the loop drains with no callback ever made, the answer is null.
      void eventLoopDrained(baseline).then(() => {
        if (!completed) settle(serialize(null));
      });
    }
  });
}
