import type { InvocationRecord } from '../runtime/invocationRecord.js';

const MARK: Record<InvocationRecord['outcome'], string> = {
  success: 'ok',
  error: 'ERROR',
  timeout: 'TIMEOUT',
  crash: 'CRASH',
  throttled: 'THROTTLED',
};

/** One line summing up an invocation, for `dev` and `logs`. */
export function summaryLine(record: InvocationRecord): string {
  const time = new Date(record.startTime).toISOString().slice(11, 23);
  const parts = [
    time,
    record.functionName.padEnd(14),
    MARK[record.outcome].padEnd(9),
    `${record.durationMs.toFixed(2)} ms`,
    `billed ${record.billedDurationMs} ms`,
    `$${record.costUsd.toFixed(10)}`,
  ];
  if (record.coldStart) parts.push(`cold (init ${record.initDurationMs?.toFixed(1) ?? '?'} ms)`);
  if (record.errorType !== undefined) parts.push(record.errorType);
  if (record.attempt > 1) parts.push(`attempt ${record.attempt} of ${record.firstAttemptId.slice(0, 8)}`);
  if (record.parentRequestId !== undefined) parts.push(`from ${record.parentRequestId.slice(0, 8)}`);
  parts.push(`req ${record.requestId.slice(0, 8)}`);
  return parts.join('  ');
}

/** The function's own log lines, indented under the summary. */
export function functionLines(record: InvocationRecord): string[] {
  return record.functionLog.map((line) => `    ${line.replaceAll('\n', '\n    ')}`);
}
