import { isIdempotent, RETRYABLE_STATUS, retryDelayMs } from './retryDelay.js';

/** One route to call. `parse` turns the 2xx response into the value (JSON by default). */
export interface RouteCall<T = unknown> {
  readonly url: string | URL;
  readonly init?: RequestInit;
  /** When false, a failure leaves a hole in the result instead of failing the whole aggregate (default true). */
  readonly required?: boolean;
  /** This call's per-attempt timeout (default: the client's). */
  readonly timeoutMs?: number;
  /** Whether sending it again is safe; by default GET, HEAD, PUT, DELETE and OPTIONS are. */
  readonly idempotent?: boolean;
  readonly parse?: (response: Response) => Promise<T>;
}

/** Timers the client uses, injectable so tests (and apps) control time. */
export interface ClientTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface AggregateOptions {
  readonly fetch?: typeof fetch;
  /** Per-attempt timeout (default 3,000 ms). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, on 429, 5xx, network errors and timeouts (default 2). */
  readonly retries?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly random?: () => number;
  readonly timers?: ClientTimers;
  readonly now?: () => number;
  /**
   * Send one `X-Amzn-Trace-Id` root with every call of the aggregate (default true), so the platform sees them as
   * one request: X-Ray on AWS, `tributary report` here. In a browser the header needs the API's CORS to allow it.
   */
  readonly trace?: boolean;
}

/** A fresh X-Ray trace root: `1-<epoch seconds, 8 hex>-<24 random hex>`. */
function newTraceRoot(nowMs: number): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
  return `1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${random}`;
}

/** The call with the aggregate's trace header added to its own headers. */
function traced(call: RouteCall, root: string | undefined): RouteCall {
  if (root === undefined) return call;
  const headers = new Headers(call.init?.headers);
  headers.set('x-amzn-trace-id', `Root=${root}`);
  return { ...call, init: { ...call.init, headers } };
}

/** How one call ended. */
export type CallOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly status: number; readonly attempts: number }
  | { readonly ok: false; readonly error: string; readonly status?: number; readonly attempts: number };

type ValueOf<C> = C extends RouteCall<infer T> ? T : never;

/** The merged result: every call's outcome, and the values of those that succeeded under their names. */
export interface Aggregate<C extends Record<string, RouteCall>> {
  readonly values: { [K in keyof C]?: ValueOf<C[K]> };
  readonly outcomes: { [K in keyof C]: CallOutcome<ValueOf<C[K]>> };
  /** True when every call succeeded. */
  readonly complete: boolean;
}

/** A required call failed; `outcomes` says how each call ended. */
export class AggregationError extends Error {
  readonly outcomes: Record<string, CallOutcome<unknown>>;

  constructor(failed: readonly string[], outcomes: Record<string, CallOutcome<unknown>>) {
    super(`Required calls failed: ${failed.map((name) => `${name} (${describe(outcomes[name])})`).join(', ')}`);
    this.name = 'AggregationError';
    this.outcomes = outcomes;
  }
}

const describe = (outcome: CallOutcome<unknown> | undefined): string =>
  outcome === undefined || outcome.ok ? 'ok' : outcome.error;

const DEFAULT_TIMERS: ClientTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Client-side aggregation, the seed's "client as aggregator": calls every route at once, each attempt with its own
 * timeout, retrying 429 and 5xx answers (honouring Retry-After), network errors and timeouts with jittered
 * backoff — idempotent calls only — and merges what came back. No L1 function is billed while the client waits.
 * Works with any fetch: Node's, a browser's, or one passed in.
 *
 * @example
 * const { values } = await aggregate({
 *   profile: { url: `${api}/customers/c-1/profile` },
 *   orders: { url: `${api}/customers/c-1/orders`, required: false },
 * });
 */
export async function aggregate<C extends Record<string, RouteCall>>(
  calls: C,
  options: AggregateOptions = {},
): Promise<Aggregate<C>> {
  const names = Object.keys(calls) as (keyof C & string)[];
  const root = options.trace === false ? undefined : newTraceRoot((options.now ?? Date.now)());
  const settled = await Promise.all(
    names.map((name) => callWithRetries(traced(calls[name] as RouteCall, root), options)),
  );
  const outcomes = {} as Record<string, CallOutcome<unknown>>;
  const values = {} as Record<string, unknown>;
  names.forEach((name, i) => {
    const outcome = settled[i] as CallOutcome<unknown>;
    outcomes[name] = outcome;
    if (outcome.ok) values[name] = outcome.value;
  });
  const failedRequired = names.filter((name) => !outcomes[name]?.ok && calls[name]?.required !== false);
  if (failedRequired.length > 0) throw new AggregationError(failedRequired, outcomes);
  return {
    values: values as Aggregate<C>['values'],
    outcomes: outcomes as Aggregate<C>['outcomes'],
    complete: names.every((name) => outcomes[name]?.ok === true),
  };
}

async function callWithRetries(call: RouteCall, options: AggregateOptions): Promise<CallOutcome<unknown>> {
  const doFetch = options.fetch ?? fetch;
  const timers = options.timers ?? DEFAULT_TIMERS;
  const retries = (call.idempotent ?? isIdempotent(call.init?.method)) ? (options.retries ?? 2) : 0;
  const timeoutMs = call.timeoutMs ?? options.timeoutMs ?? 3_000;
  let last: CallOutcome<unknown> = { ok: false, error: 'not attempted', attempts: 0 };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const controller = new AbortController();
    const timer = timers.set(() => controller.abort(), timeoutMs);
    let retryAfter: string | null = null;
    try {
      const response = await doFetch(call.url, { ...call.init, signal: controller.signal });
      if (response.ok) {
        const value = await (call.parse ?? ((r: Response) => r.json() as Promise<unknown>))(response);
        return { ok: true, value, status: response.status, attempts: attempt };
      }
      await response.body?.cancel();
      last = { ok: false, error: `HTTP ${response.status}`, status: response.status, attempts: attempt };
      if (!RETRYABLE_STATUS.has(response.status)) return last;
      retryAfter = response.headers.get('retry-after');
    } catch (error) {
      const timedOut = controller.signal.aborted;
      last = {
        ok: false,
        error: timedOut ? `timed out after ${timeoutMs} ms` : error instanceof Error ? error.message : String(error),
        attempts: attempt,
      };
    } finally {
      timers.clear(timer);
    }
    if (attempt <= retries) {
      const wait = retryDelayMs(attempt, retryAfter, {
        baseDelayMs: options.baseDelayMs ?? 100,
        maxDelayMs: options.maxDelayMs ?? 5_000,
        random: options.random ?? Math.random,
        now: options.now ?? Date.now,
      });
      await new Promise<void>((resolve) => timers.set(resolve, wait));
    }
  }
  return last;
}
