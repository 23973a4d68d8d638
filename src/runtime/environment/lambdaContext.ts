/** The `context` object Lambda passes to Node.js handlers (Node 20/22 runtimes). */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly identity?: unknown;
  readonly clientContext?: unknown;
  getRemainingTimeInMillis(): number;
  /** Deprecated by AWS; kept because Node 20/22 runtimes still have them. */
  done(error?: unknown, result?: unknown): void;
  fail(error: unknown): void;
  succeed(result: unknown): void;
}

export interface ContextFields {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: number;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly identity?: unknown;
  readonly clientContext?: unknown;
  /** Remaining time, computed from the deadline at each call. */
  readonly remainingMs: () => number;
  /** Where `done`/`fail`/`succeed` go: the same path as the callback. */
  readonly complete: (error: unknown, result?: unknown) => void;
}

/** Builds a context; `memoryLimitInMB` is a string, as in AWS's runtime. */
export function createLambdaContext(fields: ContextFields): LambdaContext {
  const context: LambdaContext = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fields.functionName,
    functionVersion: fields.functionVersion,
    invokedFunctionArn: fields.invokedFunctionArn,
    memoryLimitInMB: String(fields.memoryLimitInMB),
    awsRequestId: fields.awsRequestId,
    logGroupName: fields.logGroupName,
    logStreamName: fields.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(fields.remainingMs())),
    done: (error, result) => fields.complete(error ?? null, result),
    fail: (error) => fields.complete(error ?? 'handled'),
    succeed: (result) => fields.complete(null, result),
  };
  // AWS leaves these out when there is nothing to say, rather than setting undefined.
  if (fields.identity !== undefined) Object.assign(context, { identity: fields.identity });
  if (fields.clientContext !== undefined) Object.assign(context, { clientContext: fields.clientContext });
  return context;
}
