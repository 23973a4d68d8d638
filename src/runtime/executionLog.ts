import { LAMBDA } from '../model/awsLimits.js';
import type { InvocationRecord } from './invocationRecord.js';

export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Present on a cold start. */
  readonly initDurationMs?: number;
}

/** `START RequestId: <id> Version: $LATEST` */
export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

/** `END RequestId: <id>` */
export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** The REPORT line, tab-separated as in CloudWatch Logs, with `Init Duration` on cold starts. */
export function reportLine(fields: ReportFields): string {
  const parts = [
    `REPORT RequestId: ${fields.requestId}`,
    `Duration: ${fields.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${fields.billedDurationMs} ms`,
    `Memory Size: ${fields.memorySizeMb} MB`,
    `Max Memory Used: ${fields.maxMemoryUsedMb} MB`,
  ];
  if (fields.initDurationMs !== undefined) parts.push(`Init Duration: ${fields.initDurationMs.toFixed(2)} ms`);
  return `${parts.join('\t')}\t`;
}

/** The line Lambda logs when a function times out. */
export function timeoutLine(at: Date, requestId: string, timeoutSeconds: number): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** `X-Amz-Log-Result`: the last 4 KB of the execution log, base64. */
export function logTail(lines: readonly string[]): string {
  const text = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  return text.subarray(Math.max(0, text.length - LAMBDA.logTailBytes)).toString('base64');
}

/**
 * The execution log of one invocation as CloudWatch Logs shows it: START, the function's lines, END, REPORT.
 * Rendered on demand (for `logs`, Tail, the CLI) so the invoke path only keeps the function's own lines.
 */
export function executionLog(record: InvocationRecord): string[] {
  if (record.outcome === 'throttled') return [];
  return [
    startLine(record.requestId, '$LATEST'),
    ...record.functionLog,
    endLine(record.requestId),
    reportLine({
      requestId: record.requestId,
      durationMs: record.durationMs,
      billedDurationMs: record.billedDurationMs,
      memorySizeMb: record.memorySizeMb,
      maxMemoryUsedMb: record.maxMemoryUsedMb,
      ...(record.initDurationMs === undefined ? {} : { initDurationMs: record.initDurationMs }),
    }),
  ];
}
