/** How an invocation ended. */
export type InvocationOutcome =
  | 'success'
  /** The handler threw, rejected or called back with an error. */
  | 'error'
  | 'timeout'
  /** The environment died (uncaught error, process.exit, out of memory) or Init failed. */
  | 'crash'
  | 'throttled';

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/**
 * One invocation as Tributary recorded it: who asked, how it ran, what it cost, what it logged.
 * Retries of one async event share `firstAttemptId`, so their chain can be shown together.
 */
export interface InvocationRecord {
  readonly requestId: string;
  readonly functionName: string;
  readonly invocationType: InvocationType;
  /** The invocation that made this one, when known (e.g. an L1 invoking its L2x). */
  readonly parentRequestId: string | undefined;
  /** The X-Ray trace root it ran under (shared with the caller's other calls when the caller sent one). */
  readonly traceRoot?: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly firstAttemptId: string;
  readonly coldStart: boolean;
  /** When the invocation started, epoch ms (platform clock). */
  readonly startTime: number;
  readonly initDurationMs: number | undefined;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly gbSeconds: number;
  readonly costUsd: number;
  readonly outcome: InvocationOutcome;
  readonly errorType: string | undefined;
  readonly environmentId: string | undefined;
  /**
   * The function's own log lines (Init's lines first on a cold start; the timeout line if it timed out).
   * `executionLog(record)` renders the full log with START, END and REPORT.
   */
  readonly functionLog: readonly string[];
}
