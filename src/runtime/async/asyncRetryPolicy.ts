/**
 * Lambda's timing for asynchronous invocation.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 */
export const ASYNC_TIMING = {
  /** About 1 minute before the 2nd attempt and 2 minutes before the 3rd, after a function error. */
  functionErrorDelaysMs: [60_000, 120_000] as readonly number[],
  /** Throttles and system errors: back on the queue, from 1 s doubling up to 5 minutes. */
  firstBackoffMs: 1_000,
  maxBackoffMs: 300_000,
} as const;

/** Delay before the next attempt after `failedAttempts` function errors (1-based). */
export function functionErrorDelayMs(failedAttempts: number): number {
  const delays = ASYNC_TIMING.functionErrorDelaysMs;
  return delays[Math.min(failedAttempts, delays.length) - 1] ?? ASYNC_TIMING.maxBackoffMs;
}

/** The backoff after a throttle or system error, doubling from the previous one. */
export function nextBackoffMs(previousMs: number): number {
  return previousMs <= 0 ? ASYNC_TIMING.firstBackoffMs : Math.min(previousMs * 2, ASYNC_TIMING.maxBackoffMs);
}
