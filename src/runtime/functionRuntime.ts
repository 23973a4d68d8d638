import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { FsObjectStore } from '../lake/fsObjectStore.js';
import { LAMBDA } from '../model/awsLimits.js';
import type { LoadedApp } from '../model/loadApp.js';
import { type Clock, SystemClock } from '../shared/clock.js';
import { newRequestId } from '../shared/ids.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { isTributaryError, TributaryError } from '../shared/tributaryError.js';
import { AsyncEventStore } from './async/asyncEventStore.js';
import { AsyncInvoker } from './async/asyncInvoker.js';
import { bill } from './billing.js';
import { ConcurrencyLimiter, type ConcurrencySlot } from './concurrencyLimiter.js';
import type { PlatformAnswer, PlatformCall } from './environment/workerProtocol.js';
import { EnvironmentBudget } from './environmentBudget.js';
import { executionLog, logTail } from './executionLog.js';
import { functionArn, parseFunctionReference } from './functionArn.js';
import { type AcquiredEnvironment, FunctionPool } from './functionPool.js';
import type { InvocationRecord, InvocationType } from './invocationRecord.js';
import { functionNotFound, invalidPayload, payloadTooLarge } from './invokeErrors.js';
import { RECORDS_FILE } from './recordFile.js';
import { RecordStore } from './recordStore.js';
import { type Execution, runWithDeadline } from './runWithDeadline.js';
import { newTraceId, rootOfTraceId } from './traceId.js';
import { utf8SizeIfOver } from './utf8Size.js';

/** One call of Lambda's Invoke, as the module API takes it. */
/** How many ended invocations' trace headers are kept for late calls' lineage. */
const ENDED_TRACES_KEPT = 10_000;

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
  /** The trace root to run under (`1-xxxxxxxx-<24 hex>`), from the caller's `X-Amzn-Trace-Id`; new when absent. */
  readonly traceRoot?: string;
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
  /** At most this many environments at once across functions (default: as many as the machine can map). */
  readonly environmentCeiling?: number;
  /** Write records to `<dataDir>/invocations.ndjson` for `tributary logs` (default true). */
  readonly persistRecords?: boolean;
  /** The local AWS endpoint, given to functions as `AWS_ENDPOINT_URL` so SDK clients reach it by themselves. */
  readonly endpointUrl?: string;
  /** The clock of the async queue's delays (retries, backoff, event age); `--time-scale` speeds it up. Default `clock`. */
  readonly asyncClock?: Clock;
  /** The object store bucket destinations write to; default one in `<dataDir>/s3`, owned by the runtime. */
  readonly objectStore?: FsObjectStore;
}

/** What the runtime announces, for observers and tests. */
export interface RuntimeEvents {
  'invoke-start': [{ requestId: string; functionName: string; environmentId: string }];
  record: [InvocationRecord];
  environment: [{ functionName: string; change: 'created' | 'destroyed'; environmentId: string }];
  reload: [{ functionName: string; file: string }];
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
  /** The durable queue of asynchronous (Event) invocations. */
  readonly asyncInvoker: AsyncInvoker;
  private readonly logger: Logger;
  private readonly limiter: ConcurrencyLimiter;
  private readonly objectStore: FsObjectStore;
  private readonly ownsObjectStore: boolean;
  private readonly pools = new Map<string, FunctionPool>();
  private running = 0;
  /** `_X_AMZN_TRACE_ID` of each running invocation -> its request id: how an SDK call names its parent. */
  private readonly traces = new Map<string, string>();
  private readonly endedTraces = new Map<string, string>();
  /** The cap on live environments across all functions (see `machineHasRoom`). */
  readonly budget: EnvironmentBudget;
  private drained: (() => void) | undefined;
  private disposed = false;

  constructor(options: FunctionRuntimeOptions) {
    this.app = options.app;
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? silentLogger;
    const dataDir = options.dataDir ?? join(options.app.dir, '.tributary');
    this.records = new RecordStore(options.persistRecords === false ? {} : { file: join(dataDir, RECORDS_FILE) });
    // Lambda freezes an environment between invocations: it uses no CPU. V8's memory reducer instead wakes every
    // idle isolate to shrink its heap — with hundreds of environments, about a core's worth of CPU doing nothing
    // the app asked for. Off for the isolates created from now on (process-wide; idempotent).
    setFlagsFromString('--no-memory-reducer');
    const { model } = options.app;
    let warned = false;
    this.budget = new EnvironmentBudget({
      ...(options.environmentCeiling === undefined ? {} : { ceiling: options.environmentCeiling }),
      evictIdle: () => [...this.pools.values()].some((pool) => pool.evictIdle()),
      onFull: (live) => {
        if (warned) return;
        warned = true;
        this.logger.warn(
          { environments: live },
          'this process cannot map memory for more execution environments (Linux vm.max_map_count): further cold starts wait for one to end; AWS would start them',
        );
      },
    });
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
          ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
          budget: this.budget,
          onCall: (call, parentRequestId) => this.platformCall(call, parentRequestId),
          onEnvironment: (change, environmentId) =>
            this.events.emit('environment', { functionName: name, change, environmentId }),
        }),
      );
    }
    this.limiter = new ConcurrencyLimiter(model.limits.accountConcurrency, reserved);
    this.ownsObjectStore = options.objectStore === undefined;
    this.objectStore = options.objectStore ?? new FsObjectStore(join(dataDir, 's3'));
    // Destination buckets exist from the start, as a deployment would create them.
    for (const fn of Object.values(model.functions)) {
      for (const destination of [fn.async.onSuccess, fn.async.onFailure]) {
        if (destination !== undefined && 'bucket' in destination) this.objectStore.createBucket(destination.bucket);
      }
    }
    this.asyncInvoker = new AsyncInvoker({
      store: new AsyncEventStore(join(dataDir, 'async', 'events.db')),
      clock: options.asyncClock ?? this.clock,
      logger: this.logger,
      model,
      dataDir,
      putObject: (bucket, key, body) =>
        this.objectStore.putObject(bucket, key, body, { contentType: 'application/json' }),
      runAttempt: (attempt) =>
        this.track(async () => {
          const result = await this.run(
            {
              functionName: attempt.functionName,
              payload: attempt.payload,
              invocationType: 'Event',
              attempt: attempt.attempt,
              firstAttemptId: attempt.requestId,
              ...(attempt.parentRequestId === undefined ? {} : { parentRequestId: attempt.parentRequestId }),
            },
            { requestId: attempt.requestId, queued: true },
          );
          return { payload: result.payload, functionError: result.functionError };
        }),
    });
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

  /**
   * The request id of the running invocation whose trace header this is. SDK v3 clients send the function's
   * `_X_AMZN_TRACE_ID` as `X-Amzn-Trace-Id`, so a call from inside a handler names its parent invocation.
   */
  requestIdOfTrace(traceHeader: string | undefined): string | undefined {
    if (traceHeader === undefined) return undefined;
    return this.traces.get(traceHeader) ?? this.endedTraces.get(traceHeader);
  }

  /**
   * Starts environments of a function ahead of traffic until it has `count` (Init runs now, not on the first
   * requests), as provisioned concurrency does on AWS; they then stay warm like any other until idle too long.
   * At most `parallel` Inits run at once; it stops early when the machine has no room for more (it never stops
   * other environments to make room). Resolves with how many environments the function has.
   */
  async prewarm(functionName: string, count: number, parallel = 4): Promise<number> {
    const pool = this.pools.get(functionName);
    if (pool === undefined) throw functionNotFound(functionArn(this.app.model.region, functionName));
    const started: AcquiredEnvironment[] = [];
    let next = pool.size;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < count && this.budget.hasRoom()) {
          next += 1;
          started.push(await pool.startCold());
        }
      }),
    );
    for (const acquired of started) if (acquired.kind !== 'init-error') pool.release(acquired.environment, true);
    return pool.size;
  }

  /**
   * A function call from inside an environment over its channel: Invoke's pipeline (limits, throttles, async queue,
   * records with the caller as parent) without HTTP; Invoke's own failures come back as AWS-typed errors.
   */
  private async platformCall(call: PlatformCall, parentRequestId: string | undefined): Promise<PlatformAnswer> {
    try {
      const result = await this.invoke({
        functionName: call.functionName,
        payload: call.payload,
        invocationType: call.invocationType,
        ...(parentRequestId === undefined ? {} : { parentRequestId }),
      });
      return { ok: true, statusCode: result.statusCode, payload: result.payload, functionError: result.functionError };
    } catch (error) {
      if (isTributaryError(error) && error.aws !== undefined)
        return { ok: false, errorType: error.aws.type, message: error.message, status: error.aws.status };
      return { ok: false, errorType: 'ServiceException', message: String(error), status: 500 };
    }
  }

  /**
   * A call its caller sent just before ending (an L1 timing out with Invokes in flight) still names it as parent:
   * the latest ended invocations' trace headers are kept (bounded).
   */
  private rememberEnded(traceId: string, requestId: string): void {
    this.endedTraces.set(traceId, requestId);
    if (this.endedTraces.size > ENDED_TRACES_KEPT) {
      const oldest = this.endedTraces.keys().next().value;
      if (oldest !== undefined) this.endedTraces.delete(oldest);
    }
  }

  private isRunning(requestId: string): boolean {
    for (const running of this.traces.values()) if (running === requestId) return true;
    return false;
  }

  /** Invocations running now (account-wide or for one function). */
  concurrency(functionName?: string): number {
    return this.limiter.inUse(functionName);
  }

  /**
   * Invokes a function. Throws TributaryError (with AWS's error type and status) when Invoke itself fails:
   * unknown function, bad or oversize payload, throttle. Function errors come back in the result.
   */
  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    // While draining, invocations made by running ones (an L1's L2x) are still served, so they can finish.
    const fromRunning = request.parentRequestId !== undefined && this.isRunning(request.parentRequestId);
    if (this.disposed && !fromRunning) throw new TributaryError('ERR_DISPOSED', 'The runtime is stopped');
    return this.track(() => this.run(request));
  }

  /** Starts the async queue's dispatcher (events accepted before a restart run first). */
  start(): void {
    this.asyncInvoker.start();
  }

  /** Counts work in flight, so dispose can wait for it. */
  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (this.running === 0) this.drained?.();
    }
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
    await this.asyncInvoker.dispose();
    if (this.running > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await Promise.all([...this.pools.values()].map((pool) => pool.destroyAll()));
    if (this.ownsObjectStore) this.objectStore.close();
    await this.records.close();
  }

  private async run(request: InvokeRequest, internal?: { requestId: string; queued: true }): Promise<InvokeResult> {
    const { model } = this.app;
    // Fast path for a plain function name; ARNs and qualifiers go through the parser.
    const reference = this.pools.has(request.functionName)
      ? { name: request.functionName, qualifier: undefined }
      : parseFunctionReference(request.functionName);
    const qualifier = request.qualifier ?? reference.qualifier;
    const pool = this.pools.get(reference.name);
    const config = model.functions[reference.name];
    if (pool === undefined || config === undefined || (qualifier !== undefined && qualifier !== '$LATEST')) {
      throw functionNotFound(functionArn(model.region, reference.name, qualifier));
    }
    const invocationType = request.invocationType ?? 'RequestResponse';
    const payload = request.payload === undefined || request.payload.length === 0 ? '{}' : request.payload;
    const limit = invocationType === 'Event' ? LAMBDA.maxAsyncPayloadBytes : LAMBDA.maxSyncPayloadBytes;
    const oversize = utf8SizeIfOver(payload, limit);
    if (oversize !== undefined) throw payloadTooLarge(oversize, invocationType, limit);
    try {
      JSON.parse(payload);
    } catch (error) {
      throw invalidPayload(error instanceof Error ? error.message : String(error));
    }
    if (invocationType === 'DryRun') return result(204, newRequestId(), '', undefined, undefined);
    if (invocationType === 'Event' && internal === undefined) {
      // Accepted once durably queued: the 202 means the event will run (at least once) or reach onFailure.
      const queuedId = await this.asyncInvoker.enqueue({
        functionName: reference.name,
        payload,
        ...(request.parentRequestId === undefined ? {} : { parentRequestId: request.parentRequestId }),
      });
      return result(202, queuedId, '', undefined, undefined);
    }
    const requestId = internal?.requestId ?? newRequestId();

    const startTime = this.clock.now();
    const slot = this.takeSlot(reference.name, requestId, request, config.memorySize, startTime);
    try {
      const acquired = pool.takeWarm() ?? (await pool.startCold());
      let execution: Execution;
      let environmentId: string | undefined;
      let traceRoot = request.traceRoot;
      if (acquired.kind === 'init-error') {
        const { error, log } = acquired;
        execution = {
          outcome: 'crash',
          payload: JSON.stringify(error),
          errorType: error.errorType,
          durationMs: 0,
          memoryUsedMb: 0,
          functionLog: log,
          healthy: false,
        };
      } else {
        environmentId = acquired.environment.id;
        this.events.emit('invoke-start', { requestId, functionName: reference.name, environmentId });
        const traceId = newTraceId(startTime, requestId, request.traceRoot);
        traceRoot = rootOfTraceId(traceId);
        this.traces.set(traceId, requestId);
        try {
          execution = await runWithDeadline(acquired.environment, this.clock, {
            requestId,
            payload,
            timeoutSeconds: config.timeout,
            traceId,
            invokedFunctionArn: functionArn(model.region, reference.name, qualifier),
            clientContext: request.clientContext,
            identity: request.identity,
          });
        } finally {
          this.traces.delete(traceId);
          this.rememberEnded(traceId, requestId);
        }
        pool.release(acquired.environment, execution.healthy);
      }
      const initDurationMs = acquired.kind === 'warm' ? undefined : acquired.initDurationMs;
      const costs = bill({
        durationMs: execution.durationMs,
        initDurationMs: initDurationMs ?? 0,
        memorySizeMb: config.memorySize,
        architecture: config.architecture,
      });
      const record: InvocationRecord = {
        requestId,
        functionName: reference.name,
        invocationType,
        parentRequestId: request.parentRequestId,
        ...(traceRoot === undefined ? {} : { traceRoot }),
        attempt: request.attempt ?? 1,
        firstAttemptId: request.firstAttemptId ?? requestId,
        coldStart: acquired.kind !== 'warm',
        startTime,
        initDurationMs,
        durationMs: execution.durationMs,
        billedDurationMs: costs.billedDurationMs,
        memorySizeMb: config.memorySize,
        maxMemoryUsedMb: execution.memoryUsedMb,
        gbSeconds: costs.gbSeconds,
        costUsd: costs.costUsd,
        outcome: execution.outcome,
        errorType: execution.errorType,
        environmentId,
        functionLog: execution.functionLog,
      };
      this.addRecord(record);
      const functionError = execution.errorType === undefined ? undefined : 'Unhandled';
      const logResult = request.logType === 'Tail' ? logTail(executionLog(record)) : undefined;
      return result(200, requestId, execution.payload, functionError, logResult, record);
    } finally {
      slot.release();
    }
  }

  /** A concurrency slot, or Lambda's throttle (recorded, never billed). */
  private takeSlot(
    functionName: string,
    requestId: string,
    request: InvokeRequest,
    memorySizeMb: number,
    startTime: number,
  ): ConcurrencySlot {
    try {
      return this.limiter.acquire(functionName);
    } catch (error) {
      if (isTributaryError(error, 'ERR_THROTTLED')) {
        this.addRecord({
          requestId,
          functionName,
          invocationType: request.invocationType ?? 'RequestResponse',
          parentRequestId: request.parentRequestId,
          ...(request.traceRoot === undefined ? {} : { traceRoot: request.traceRoot }),
          attempt: request.attempt ?? 1,
          firstAttemptId: request.firstAttemptId ?? requestId,
          coldStart: false,
          startTime,
          initDurationMs: undefined,
          durationMs: 0,
          billedDurationMs: 0,
          memorySizeMb,
          maxMemoryUsedMb: 0,
          gbSeconds: 0,
          costUsd: 0,
          outcome: 'throttled',
          errorType: 'TooManyRequestsException',
          environmentId: undefined,
          functionLog: [],
        });
      }
      throw error;
    }
  }

  private addRecord(record: InvocationRecord): void {
    this.records.add(record);
    this.events.emit('record', record);
    if (record.outcome !== 'success') {
      this.logger.info(
        {
          functionName: record.functionName,
          requestId: record.requestId,
          outcome: record.outcome,
          errorType: record.errorType,
        },
        'invocation failed',
      );
    }
  }
}

function result(
  statusCode: InvokeResult['statusCode'],
  requestId: string,
  payload: string,
  functionError: 'Unhandled' | undefined,
  logResult: string | undefined,
  record?: InvocationRecord,
): InvokeResult {
  return { statusCode, requestId, payload, functionError, executedVersion: '$LATEST', logResult, record };
}
