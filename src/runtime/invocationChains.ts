import type { InvocationRecord } from './invocationRecord.js';

/** Every attempt of one event (or the single attempt of a sync call), first attempt first. */
export interface InvocationChain {
  readonly firstAttemptId: string;
  readonly attempts: readonly InvocationRecord[];
}

/**
 * Groups records into chains by their first attempt (retries of an async event share it), ordered by when
 * each chain started; attempts in attempt order.
 *
 * @example
 * invocationChains(runtime.records.list()).filter((c) => c.attempts.length > 1); // the retried events
 */
export function invocationChains(records: readonly InvocationRecord[]): InvocationChain[] {
  const chains = new Map<string, InvocationRecord[]>();
  for (const record of records) {
    const chain = chains.get(record.firstAttemptId);
    if (chain === undefined) chains.set(record.firstAttemptId, [record]);
    else chain.push(record);
  }
  return [...chains].map(([firstAttemptId, attempts]) => ({
    firstAttemptId,
    attempts: attempts.sort((a, b) => a.attempt - b.attempt || a.startTime - b.startTime),
  }));
}
