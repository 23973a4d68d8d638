import { LAMBDA } from '../model/awsLimits.js';
import type { Clock } from '../shared/clock.js';
import type { Environment } from './environment/environment.js';
import type { ErrorDocument } from './environment/errorDocument.js';
import type { InvokeMessage } from './environment/workerProtocol.js';
import { timeoutLine } from './executionLog.js';
import type { InvocationOutcome } from './invocationRecord.js';
import { responseTooLarge } from './invokeErrors.js';
import { utf8SizeIfOver } from './utf8Size.js';

/** How one run in an environment went, ready to bill and record. */
export interface Execution {
  readonly outcome: InvocationOutcome;
  /** The result, or the error document, as JSON text. */
  readonly payload: string;
  readonly errorType: string | undefined;
  readonly durationMs: number;
  readonly memoryUsedMb: number;
  readonly functionLog: string[];
  /** False when the environment must not be reused (timed out, crashed). */
  readonly healthy: boolean;
}

export interface RunRequest {
  readonly requestId: string;
  readonly payload: string;
  readonly timeoutSeconds: number;
  readonly invokedFunctionArn: string;
  readonly traceId: string;
  readonly clientContext: unknown;
  readonly identity: unknown;
}

function failed(
  outcome: InvocationOutcome,
  error: ErrorDocument,
  rest: Omit<Execution, 'outcome' | 'payload' | 'errorType'>,
): Execution {
  return { outcome, payload: JSON.stringify(error), errorType: error.errorType, ...rest };
}

/**
 * Runs one invocation in an environment against the function's timeout. At the deadline the environment is
 * destroyed (not just abandoned), as Lambda resets a timed-out environment, and the answer is
 * `Task timed out after N.NN seconds`.
 */
export function runWithDeadline(environment: Environment, clock: Clock, run: RunRequest): Promise<Execution> {
  const { requestId, timeoutSeconds } = run;
  const timeoutMs = timeoutSeconds * 1000;
  const now = clock.now();
  const message: InvokeMessage = {
    type: 'invoke',
    requestId,
    payload: run.payload,
    deadlineMs: now + timeoutMs,
    clockOffsetMs: now - Date.now(),
    invokedFunctionArn: run.invokedFunctionArn,
    traceId: run.traceId,
    clientContext: run.clientContext,
    identity: run.identity,
  };
  const started = performance.now();
  return new Promise<Execution>((resolve) => {
    let done = false;
    const timer = clock.setTimer(timeoutMs, () => {
      if (done) return;
      done = true;
      const functionLog = environment.takeLog();
      void environment.destroy();
      functionLog.push(timeoutLine(new Date(clock.now()), requestId, timeoutSeconds));
      const error: ErrorDocument = {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
      };
      resolve(failed('timeout', error, { durationMs: timeoutMs, memoryUsedMb: 0, functionLog, healthy: false }));
    });
    void environment.invoke(message).then((outcome) => {
      if (done) return;
      done = true;
      timer.cancel();
      const durationMs = performance.now() - started;
      const functionLog = environment.takeLog();
      if (outcome.kind === 'crash') {
        resolve(failed('crash', outcome.error, { durationMs, memoryUsedMb: 0, functionLog, healthy: false }));
        return;
      }
      const rest = { durationMs, memoryUsedMb: outcome.memoryUsedMb, functionLog, healthy: true };
      if (!outcome.ok) resolve(failed('error', outcome.error, rest));
      else if (utf8SizeIfOver(outcome.payload, LAMBDA.maxSyncPayloadBytes) !== undefined) {
        resolve(failed('error', responseTooLarge, rest));
      } else resolve({ outcome: 'success', payload: outcome.payload, errorType: undefined, ...rest });
    });
  });
}
