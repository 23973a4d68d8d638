import { InvokeCommand } from '@aws-sdk/client-lambda';
import { PLATFORM_INVOKE } from '../runtime/environment/platformInvoke.js';
import type { PlatformAnswer, PlatformCall } from '../runtime/environment/workerProtocol.js';

/** One branch of an aggregation: an L2 function and its event; optional branches may fail without failing L1. */
export interface BranchSpec {
  readonly function: string;
  readonly payload?: unknown;
  /** Default true. */
  readonly required?: boolean;
}

/** What fanOut needs of Lambda's context: the time the entry point has left. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** Anything with the LambdaClient's `send` (a real client on AWS and here, or a test double). */
export interface LambdaSender {
  send(
    command: InvokeCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{
    StatusCode?: number;
    FunctionError?: string;
    Payload?: Uint8Array;
  }>;
}

export interface FanOutOptions {
  /** The handler's LambdaClient, created once per environment (at module scope), as on AWS. */
  readonly lambda: LambdaSender;
  /** Kept back from the entry point's remaining time, so it can still answer (default 250 ms). */
  readonly safetyMarginMs?: number;
  /** `sync` waits for every branch's answer; `async` returns once every branch's event is accepted (202). */
  readonly mode?: 'sync' | 'async';
  /**
   * The aggregated request's idempotency key (e.g. the client's `Idempotency-Key` header). Each branch's payload
   * (which must then be a JSON object) gets `idempotencyKey: "<key>/<branch>"`, so L2s made idempotent on
   * `BRANCH_IDEMPOTENCY_KEY_PATH` (Powertools' `makeIdempotent`) return their stored result when a retried request
   * runs them again, instead of doing (and billing) the work twice.
   */
  readonly idempotencyKey?: string;
  /**
   * `auto` (default): inside a Tributary environment, branches are invoked over the environment's channel to the
   * platform — the same Invoke pipeline (concurrency, throttles, records, lineage) without HTTP and SigV4 — and
   * through the given Lambda client everywhere else (on AWS). `sdk` always uses the client.
   */
  readonly transport?: 'auto' | 'sdk';
}

/** The platform channel a Tributary environment exposes (type only: nothing of the runtime is loaded on AWS). */
type PlatformInvoke = (call: PlatformCall) => Promise<PlatformAnswer>;

const platformInvoke = (): PlatformInvoke | undefined =>
  (globalThis as Record<symbol, PlatformInvoke | undefined>)[PLATFORM_INVOKE];

/** The JMESPath an idempotent L2 keys on: the field `fanOut` adds to each branch's payload. */
export const BRANCH_IDEMPOTENCY_KEY_PATH = 'idempotencyKey';

/** The branch's payload with its idempotency key added (payloads must be JSON objects to carry one). */
function payloadOf(branch: BranchSpec, name: string, key: string | undefined): unknown {
  if (key === undefined) return branch.payload ?? {};
  const payload = branch.payload ?? {};
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    throw new TypeError(`fanOut: branch "${name}" needs an object payload to carry an idempotency key`);
  return { ...payload, [BRANCH_IDEMPOTENCY_KEY_PATH]: `${key}/${name}` };
}

export type BranchOutcome =
  | { readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly error: string; readonly timedOut: boolean; readonly durationMs: number };

export interface FanOutResult<B extends Record<string, BranchSpec>> {
  /** Values of the branches that succeeded, by name (sync mode; async mode has none). */
  readonly values: { [K in keyof B]?: unknown };
  readonly outcomes: { [K in keyof B]: BranchOutcome };
  /** True when every branch succeeded. */
  readonly complete: boolean;
  /** Each branch's deadline: the entry point's remaining time minus the margin, when the fan-out began. */
  readonly budgetMs: number;
}

/** A required branch failed or ran out of time; `outcomes` holds every branch's. */
export class BranchFailure extends Error {
  readonly outcomes: Record<string, BranchOutcome>;

  constructor(failed: readonly string[], outcomes: Record<string, BranchOutcome>) {
    super(
      `Required branches failed: ${failed
        .map((name) => {
          const o = outcomes[name];
          return `${name} (${o !== undefined && !o.ok ? o.error : 'ok'})`;
        })
        .join(', ')}`,
    );
    this.name = 'BranchFailure';
    this.outcomes = outcomes;
  }
}

const decoder = new TextDecoder();

/**
 * The Aggregator's fan-out for an entry-point (L1) function: invokes every branch in parallel through the Lambda
 * API — so the same code runs on AWS — each with a deadline derived from the entry point's remaining time minus a
 * safety margin. A branch's function error or timeout is reported in its outcome; a required branch's failure
 * throws BranchFailure, an optional one's leaves a hole (partial results). In `async` mode each branch is an Event
 * invoke and the fan-out returns once all were accepted: what a write-only endpoint answers 202 after.
 *
 * @example
 * const lambda = new LambdaClient({});
 * export const handler = async (event, context) => {
 *   const { values } = await fanOut({ profile: { function: 'profile', payload: event } }, context, { lambda });
 *   return values;
 * };
 */
export async function fanOut<B extends Record<string, BranchSpec>>(
  branches: B,
  context: RemainingTime,
  options: FanOutOptions,
): Promise<FanOutResult<B>> {
  const { lambda } = options;
  const budgetMs = Math.max(0, context.getRemainingTimeInMillis() - (options.safetyMarginMs ?? 250));
  const mode = options.mode ?? 'sync';
  const names = Object.keys(branches) as (keyof B & string)[];
  const outcomes = {} as Record<string, BranchOutcome>;
  const payloads = names.map((name) => payloadOf(branches[name] as BranchSpec, name, options.idempotencyKey));
  const platform = options.transport === 'sdk' ? undefined : platformInvoke();
  await Promise.all(
    names.map(async (name, index) => {
      const branch = branches[name] as BranchSpec;
      outcomes[name] =
        budgetMs <= 0
          ? { ok: false, error: 'no time left for this branch', timedOut: true, durationMs: 0 }
          : platform === undefined
            ? await invokeBranch(lambda, branch, payloads[index], budgetMs, mode)
            : await invokeOnPlatform(platform, branch, payloads[index], budgetMs, mode);
    }),
  );
  const failedRequired = names.filter((name) => outcomes[name]?.ok !== true && branches[name]?.required !== false);
  if (failedRequired.length > 0) throw new BranchFailure(failedRequired, outcomes);
  const values = {} as Record<string, unknown>;
  if (mode === 'sync')
    for (const name of names) {
      const outcome = outcomes[name];
      if (outcome?.ok === true) values[name] = outcome.value;
    }
  return {
    values: values as FanOutResult<B>['values'],
    outcomes: outcomes as FanOutResult<B>['outcomes'],
    complete: names.every((name) => outcomes[name]?.ok === true),
    budgetMs,
  };
}

/** An Event invoke's outcome: accepted on 202. */
const acceptedOutcome = (statusCode: number | undefined, durationMs: number): BranchOutcome =>
  statusCode === 202
    ? { ok: true, value: { accepted: true }, durationMs }
    : { ok: false, error: `not accepted (${statusCode})`, timedOut: false, durationMs };

/** A branch's answer from its JSON payload (or its error document when the function failed). */
function answerOutcome(text: string, functionError: string | undefined, durationMs: number): BranchOutcome {
  const value: unknown = JSON.parse(text === '' ? 'null' : text);
  if (functionError !== undefined) {
    const message = (value as { errorMessage?: unknown } | null)?.errorMessage;
    return { ok: false, error: typeof message === 'string' ? message : text, timedOut: false, durationMs };
  }
  return { ok: true, value, durationMs };
}

/** The branch through the environment's platform channel, waiting at most `budgetMs` (the branch runs on). */
async function invokeOnPlatform(
  platform: PlatformInvoke,
  branch: BranchSpec,
  payload: unknown,
  budgetMs: number,
  mode: 'sync' | 'async',
): Promise<BranchOutcome> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), budgetMs);
  });
  const answer = await Promise.race([
    platform({
      functionName: branch.function,
      payload: JSON.stringify(payload),
      invocationType: mode === 'async' ? 'Event' : 'RequestResponse',
    }),
    deadline,
  ]);
  clearTimeout(timer);
  const durationMs = Date.now() - started;
  if (answer === 'timeout') return { ok: false, error: `no answer within ${budgetMs} ms`, timedOut: true, durationMs };
  if (!answer.ok) return { ok: false, error: answer.message, timedOut: false, durationMs };
  if (mode === 'async') return acceptedOutcome(answer.statusCode, durationMs);
  return answerOutcome(answer.payload, answer.functionError, durationMs);
}

async function invokeBranch(
  lambda: LambdaSender,
  branch: BranchSpec,
  payload: unknown,
  budgetMs: number,
  mode: 'sync' | 'async',
): Promise<BranchOutcome> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const signal = AbortSignal.timeout(budgetMs);
  try {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: branch.function,
        InvocationType: mode === 'async' ? 'Event' : 'RequestResponse',
        Payload: JSON.stringify(payload),
      }),
      { abortSignal: signal },
    );
    if (mode === 'async') return acceptedOutcome(response.StatusCode, elapsed());
    const text = response.Payload === undefined ? 'null' : decoder.decode(response.Payload);
    return answerOutcome(text, response.FunctionError, elapsed());
  } catch (error) {
    const timedOut = signal.aborted;
    return {
      ok: false,
      error: timedOut ? `no answer within ${budgetMs} ms` : error instanceof Error ? error.message : String(error),
      timedOut,
      durationMs: elapsed(),
    };
  }
}
