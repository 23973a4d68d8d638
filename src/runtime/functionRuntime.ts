import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { LAMBDA } from '../model/awsLimits.js';
import type { LoadedApp } from '../model/loadApp.js';
import { type Clock, SystemClock } from '../shared/clock.js';
import { newRequestId } from '../shared/ids.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { isTributaryError, TributaryError } from '../shared/tributaryError.js';
import { bill } from './billing.js';
import { ConcurrencyLimiter } from './concurrencyLimiter.js';
import type { Environment, EnvironmentOutcome } from './environment/environment.js';
import type { ErrorDocument } from './environment/errorDocument.js';
import { endLine, logTail, reportLine, startLine, timeoutLine } from './executionLog.js';
import { functionArn, parseFunctionReference } from './functionArn.js';
import { FunctionPool } from './functionPool.js';
import type { InvocationOutcome, InvocationRecord, InvocationType } from './invocationRecord.js';
import { functionNotFound, invalidPayload, payloadTooLarge, responseTooLarge } from './invokeErrors.js';
import { RecordStore } from './recordStore.js';
import { newTraceId } from './traceId.js';

/** One call of Lambda's Invoke, as the module API takes it. */
export interface InvokeRequest {
  /** A name, `name:qualifier`, or a full or partial ARN. */
  readonly functionName: string;
  /** The event as JSON text (bytes are what the limits count). Empty or absent means `{}`. */
  readonly payload?: string;
  readonly invocationType?: InvocationType;
  /** Only `$LATEST` exists locally. */
  readonly qualifier?: string;
  /** `Tail` returns the last 4 KB of the execution log in `logResult`. */
  readonly logType?: 'None' | 'Tail';
  /** Decoded `X-Amz-Client-Context`, passed to `context.clientContext`. */
  readonly clientContext?: unknown;
  readonly identity?: unknown;
  /** The invocation that made this call, for lineage. */
  readonly parentRequestId?: string;
  /** For retries: the attempt number (1-based) and the first attempt's request id. */
  readonly attempt?: number;
  readonly firstAttemptId?: string;
}

/** What Invoke answers. Function errors are results (`functionError` set), not exceptions, as on AWS. */
export interface InvokeResult {
  /** 200 (RequestResponse), 202 (Event) or 204 (DryRun). */
  readonly statusCode: 200 | 202 | 204;
  readonly requestId: string;
  /** The function's JSON result, or its error document. */
  readonly payload: string;
  readonly functionError: 'Unhandled' | undefined;
  readonly executedVersion: string;
  /** Base64 of the last 4 KB of the log, when `logType` is `Tail`. */
  readonly logResult: string | undefined;
  readonly record: InvocationRecord | undefined;
}

export interface FunctionRuntimeOptions {
  readonly app: LoadedApp;
  /** App state: compiled handlers, invocation records. Default `<app>/.tributary`. */
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Idle environments are stopped after this long (default 10 minutes). */
  readonly idleTimeoutMs?: number;
  /** Write records to `<dataDir>/invocations.ndjson` for `tributary logs` (default true). */
  readonly persistRecords?: boolean;
}

/** What the runtime announces, for observers and tests. */
export interface RuntimeEvents {
  'invoke-start': [{ requestId: string; functionName: string; environmentId: string }];
  record: [InvocationRecord];
  environment: [{ functionName: string; change: 'created' | 'destroyed'; environmentId: string }];
  reload: [{ functionName: string; file: string }];
}

interface Execution {
  readonly outcome: InvocationOutcome;
  readonly payload: string;
  readonly error: ErrorDocument | undefined;
  readonly durationMs: number;
  readonly memoryUsedMb: number;
  readonly log: string[];
  readonly healthy: boolean;
}

/**
 * Runs an app's functions as Lambda does. Every invocation goes through one pipeline: resolve the function,
 * check the payload, take a concurrency slot, take an environment (warm or cold), run it against a deadline,
 * bill and record it.
 *
 * @example
 * const runtime = new FunctionRuntime({ app: await loadApp('examples/acme', { buildDir }) });
 * const result = await runtime.invoke({ functionName: 'profile', payload: '{"customerId":"c-1"}' });
 * JSON.parse(result.payload);
 * await runtime.dispose();
 */
export class FunctionRuntime {
  readonly events = new EventEmitter<RuntimeEvents>();
  readonly records: RecordStore;
  readonly app: LoadedApp;
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly limiter: ConcurrencyLimiter;
  private readonly pools = new Map<string, FunctionPool>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(options: FunctionRuntimeOptions) {
    this.app = options.app;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? silentLogger;
    const dataDir = options.dataDir ?? join(options.app.dir, '.tributary');
    this.records = new RecordStore(
      options.persistRecords === false ? {} : { file: join(dataDir, 'invocations.ndjson') },
    );
    const { model } = options.app;
    const reserved = new Map<string, number>();
    for (const [name, fn] of Object.entries(model.functions)) {
      if (fn.reservedConcurrency !== undefined) reserved.set(name, fn.reservedConcurrency);
      this.pools.set(
        name,
        new FunctionPool({
          functionName: name,
          config: fn,
          appDir: options.app.dir,
          region: model.region,
          buildDir: join(dataDir, 'build', 'functions'),
          clock: this.clock,
          logger: this.logger,
          idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
          onEnvironment: (change, environmentId) =>
            this.events.emit('environment', { functionName: name, change, environmentId }),
        }),
      );
    }
    this.limiter = new ConcurrencyLimiter(model.limits.accountConcurrency, reserved);
    if (new Date(0).getTimezoneOffset() !== 0) {
      this.logger.warn({}, 'the process time zone is not UTC; Lambda runs in UTC (set TZ=UTC)');
    }
  }

  /** Function names of the app. */
  get functionNames(): string[] {
    return [...this.pools.keys()];
  }

  /** The pool of one function (environments, source files). */
  pool(functionName: string): FunctionPool | undefined {
    return this.pools.get(functionName);
  }

  /** Invocations running now (account-wide or for one function). */
  concurrency(functionName?: string): number {
    return this.limiter.inUse(functionName);
  }

  /**
   * Invokes a function. Throws TributaryError (with AWS's error type and status) when Invoke itself fails:
   * unknown function, bad or oversize payload, throttle. Function errors come back in the result.
   */
  invoke(request: InvokeRequest): Promise<InvokeResult> {
    if (this.disposed) return Promise.reject(new TributaryError('ERR_DISPOSED', 'The runtime is stopped'));
    const running = this.run(request);
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running)).catch(() => undefined);
    return running;
  }

  /** A code file changed: every function built from it gets fresh environments; the others keep theirs. */
  codeChanged(file: string): string[] {
    const affected = [...this.pools.values()].filter((pool) => pool.sourceFiles.includes(file));
    for (const pool of affected) {
      pool.invalidate();
      this.events.emit('reload', { functionName: pool.functionName, file });
    }
    return affected.map((pool) => pool.functionName);
  }

  /** Stops accepting work, lets in-flight invocations finish, then stops every environment. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.allSettled([...this.inFlight]);
    await Promise.all([...this.pools.values()].map((pool) => pool.destroyAll()));
    await this.records.close();
  }

  private async run(request: InvokeRequest): Promise<InvokeResult> {
    const { model } = this.app;
    const reference = parseFunctionReference(request.functionName);
    const qualifier = request.qualifier ?? reference.qualifier;
    const pool = this.pools.get(reference.name);
    const config = model.functions[reference.name];
    if (pool === undefined || config === undefined || (qualifier !== undefined && qualifier !== '$LATEST')) {
      throw functionNotFound(functionArn(model.region, reference.name, qualifier));
    }
    const invocationType = request.invocationType ?? 'RequestResponse';
    const payload = request.payload === undefined || request.payload.length === 0 ? '{}' : request.payload;
    const bytes = Buffer.byteLength(payload, 'utf8');
    const limit = invocationType === 'Event' ? LAMBDA.maxAsyncPayloadBytes : LAMBDA.maxSyncPayloadBytes;
    if (bytes > limit) throw payloadTooLarge(bytes, invocationType, limit);
    try {
      JSON.parse(payload);
    } catch (error) {
      throw invalidPayload(error instanceof Error ? error.message : String(error));
    }
    const requestId = newRequestId();
    const base = { requestId, executedVersion: '$LATEST', functionError: undefined, logResult: undefined };
    if (invocationType === 'DryRun') return { ...base, statusCode: 204, payload: '', record: undefined };
    if (invocationType === 'Event') {
      throw new TributaryError('ERR_UNSUPPORTED', 'Asynchronous (Event) invocation is not available yet', {
        hint: 'Use RequestResponse for now; the async queue arrives with the async-invocation issue.',
      });
    }

    const startedAt = this.clock.now();
    const lineage = {
      parentRequestId: request.parentRequestId,
      attempt: request.attempt ?? 1,
      firstAttemptId: request.firstAttemptId ?? requestId,
    };
    const recordBase = {
      requestId,
      functionName: reference.name,
      invocationType,
      ...lineage,
      memorySizeMb: config.memorySize,
    };
    let slot: ReturnType<ConcurrencyLimiter['acquire']>;
    try {
      slot = this.limiter.acquire(reference.name);
    } catch (error) {
      if (isTributaryError(error, 'ERR_THROTTLED')) {
        this.addRecord({
          ...recordBase,
          coldStart: false,
          start: new Date(startedAt).toISOString(),
          initDurationMs: undefined,
          durationMs: 0,
          billedDurationMs: 0,
          maxMemoryUsedMb: 0,
          gbSeconds: 0,
          costUsd: 0,
          outcome: 'throttled',
          errorType: 'TooManyRequestsException',
          environmentId: undefined,
          log: [],
        });
      }
      throw error;
    }
    try {
      const acquired = await pool.acquire();
      const coldStart = acquired.kind !== 'warm';
      const initDurationMs = acquired.kind === 'warm' ? undefined : acquired.initDurationMs;
      let execution: Execution;
      let environmentId: string | undefined;
      if (acquired.kind === 'init-error') {
        execution = {
          outcome: 'crash',
          payload: JSON.stringify(acquired.error),
          error: acquired.error,
          durationMs: 0,
          memoryUsedMb: 0,
          log: acquired.log,
          healthy: false,
        };
      } else {
        environmentId = acquired.environment.id;
        this.events.emit('invoke-start', { requestId, functionName: reference.name, environmentId });
        execution = await this.execute(acquired.environment, {
          requestId,
          payload,
          timeoutSeconds: config.timeout,
          request,
          invokedFunctionArn: functionArn(model.region, reference.name, qualifier),
        });
        pool.release(acquired.environment, execution.healthy);
      }
      const costs = bill({
        durationMs: execution.durationMs,
        initDurationMs: initDurationMs ?? 0,
        memorySizeMb: config.memorySize,
        architecture: config.architecture,
      });
      const log = [
        startLine(requestId, '$LATEST'),
        ...execution.log,
        endLine(requestId),
        reportLine({
          requestId,
          durationMs: execution.durationMs,
          billedDurationMs: costs.billedDurationMs,
          memorySizeMb: config.memorySize,
          maxMemoryUsedMb: execution.memoryUsedMb,
          ...(initDurationMs === undefined ? {} : { initDurationMs }),
        }),
      ];
      const record: InvocationRecord = {
        ...recordBase,
        coldStart,
        start: new Date(startedAt).toISOString(),
        initDurationMs,
        durationMs: execution.durationMs,
        billedDurationMs: costs.billedDurationMs,
        maxMemoryUsedMb: execution.memoryUsedMb,
        gbSeconds: costs.gbSeconds,
        costUsd: costs.costUsd,
        outcome: execution.outcome,
        errorType: execution.error?.errorType,
        environmentId,
        log,
      };
      this.addRecord(record);
      return {
        ...base,
        statusCode: 200,
        payload: execution.payload,
        functionError: execution.error === undefined ? undefined : 'Unhandled',
        logResult: request.logType === 'Tail' ? logTail(log) : undefined,
        record,
      };
    } finally {
      slot.release();
    }
  }

  private execute(
    environment: Environment,
    call: {
      requestId: string;
      payload: string;
      timeoutSeconds: number;
      invokedFunctionArn: string;
      request: InvokeRequest;
    },
  ): Promise<Execution> {
    const { requestId, timeoutSeconds } = call;
    const deadlineMs = this.clock.now() + timeoutSeconds * 1000;
    const started = performance.now();
    return new Promise<Execution>((resolve) => {
      let done = false;
      const timer = this.clock.setTimer(timeoutSeconds * 1000, () => {
        if (done) return;
        done = true;
        const log = environment.takeLog();
        void environment.destroy();
        const error: ErrorDocument = {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
        };
        log.push(timeoutLine(new Date(this.clock.now()), requestId, timeoutSeconds));
        resolve({
          outcome: 'timeout',
          payload: JSON.stringify(error),
          error,
          durationMs: timeoutSeconds * 1000,
          memoryUsedMb: 0,
          log,
          healthy: false,
        });
      });
      void environment
        .invoke({
          type: 'invoke',
          requestId,
          payload: call.payload,
          deadlineMs,
          clockOffsetMs: this.clock.now() - Date.now(),
          invokedFunctionArn: call.invokedFunctionArn,
          traceId: newTraceId(this.clock.now()),
          ...(call.request.clientContext === undefined ? {} : { clientContext: call.request.clientContext }),
          ...(call.request.identity === undefined ? {} : { identity: call.request.identity }),
        })
        .then((outcome) => {
          if (done) return;
          done = true;
          timer.cancel();
          resolve(this.toExecution(outcome, performance.now() - started, environment.takeLog()));
        });
    });
  }

  private toExecution(outcome: EnvironmentOutcome, durationMs: number, log: string[]): Execution {
    if (outcome.kind === 'crash') {
      return {
        outcome: 'crash',
        payload: JSON.stringify(outcome.error),
        error: outcome.error,
        durationMs,
        memoryUsedMb: 0,
        log,
        healthy: false,
      };
    }
    const memoryUsedMb = outcome.memoryUsedMb;
    if (!outcome.ok) {
      return {
        outcome: 'error',
        payload: JSON.stringify(outcome.error),
        error: outcome.error,
        durationMs,
        memoryUsedMb,
        log,
        healthy: true,
      };
    }
    if (Buffer.byteLength(outcome.payload, 'utf8') > LAMBDA.maxSyncPayloadBytes) {
      return {
        outcome: 'error',
        payload: JSON.stringify(responseTooLarge),
        error: responseTooLarge,
        durationMs,
        memoryUsedMb,
        log,
        healthy: true,
      };
    }
    return {
      outcome: 'success',
      payload: outcome.payload,
      error: undefined,
      durationMs,
      memoryUsedMb,
      log,
      healthy: true,
    };
  }

  private addRecord(record: InvocationRecord): void {
    this.records.add(record);
    this.events.emit('record', record);
    const level = record.outcome === 'success' ? 'debug' : 'info';
    this.logger[level](
      {
        functionName: record.functionName,
        requestId: record.requestId,
        outcome: record.outcome,
        durationMs: Number(record.durationMs.toFixed(2)),
        coldStart: record.coldStart,
      },
      'invocation',
    );
  }
}
