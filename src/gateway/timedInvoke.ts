import type { FunctionRuntime, InvokeResult } from '../runtime/functionRuntime.js';
import type { Clock } from '../shared/clock.js';

/**
 * A synchronous invoke that stops waiting at `timeoutMs` and resolves `'timeout'` — an integration timeout: the
 * function runs on (as on AWS), only the caller stops waiting. Throttles and other invoke errors reject.
 */
export function timedInvoke(
  runtime: FunctionRuntime,
  clock: Clock,
  functionName: string,
  payload: string,
  timeoutMs: number,
  traceRoot?: string,
): Promise<InvokeResult | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimer(timeoutMs, () => resolve('timeout'));
    runtime.invoke({ functionName, payload, ...(traceRoot === undefined ? {} : { traceRoot }) }).then(
      (result) => {
        timer.cancel();
        resolve(result);
      },
      (error: unknown) => {
        timer.cancel();
        reject(error);
      },
    );
  });
}
