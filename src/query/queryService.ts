import { randomUUID } from 'node:crypto';
import type { ObjectSink } from '../lake/objectSink.js';
import type { Lake, Workgroup } from '../model/lakeSchema.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { isTributaryError, TributaryError } from '../shared/tributaryError.js';
import type { QueryEngine, QueryPrincipal, QueryResult } from './queryEngine.js';
import { resultCsv } from './resultCsv.js';
import type { GuardedQuery } from './sqlGuard.js';

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One query execution as Athena reports it. */
export interface QueryExecution {
  readonly id: string;
  readonly query: string;
  readonly database: string;
  readonly workgroup: string;
  readonly outputLocation: string;
  readonly principal: QueryPrincipal;
  state: QueryState;
  stateChangeReason: string | undefined;
  readonly submittedAt: number;
  startedAt: number | undefined;
  completedAt: number | undefined;
  result: QueryResult | undefined;
  readonly abort: AbortController;
  /** The statement as checked at start. */
  guarded: GuardedQuery | undefined;
}

export interface StartQuery {
  readonly query: string;
  readonly database?: string;
  readonly workgroup?: string;
  readonly outputLocation?: string;
  readonly clientRequestToken?: string;
  readonly principal: QueryPrincipal;
}

const DEFAULT_WORKGROUP = 'primary';

const requestError = (
  type: string,
  message: string,
  code: 'ERR_QUERY_REFUSED' | 'ERR_QUERY_LIMIT' = 'ERR_QUERY_REFUSED',
) => new TributaryError(code, message, { aws: { status: 400, type } });

/**
 * Athena's query lifecycle over the engine: StartQueryExecution returns at once (idempotent per
 * ClientRequestToken); queries wait QUEUED beyond the workgroup's active limit and are refused with
 * TooManyRequestsException beyond its queue; they run, then end SUCCEEDED (results kept for paging and written as
 * CSV plus metadata to the output location), FAILED (with the reason) or CANCELLED.
 *
 * @example
 * const id = await service.start({ query: 'SELECT 1', principal });
 * await service.settled(id);
 */
export class QueryService {
  private readonly engine: QueryEngine;
  private readonly lake: Lake;
  private readonly sink: ObjectSink;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly executions = new Map<string, QueryExecution>();
  private readonly order: string[] = [];
  private readonly tokens = new Map<string, { id: string; query: string }>();
  private readonly running = new Map<string, number>();
  private readonly queues = new Map<string, QueryExecution[]>();
  private readonly settledWaiters = new Map<string, (() => void)[]>();
  readonly createdAt: number;

  constructor(options: { engine: QueryEngine; lake: Lake; sink: ObjectSink; clock: Clock; logger: Logger }) {
    this.engine = options.engine;
    this.lake = options.lake;
    this.sink = options.sink;
    this.clock = options.clock;
    this.logger = options.logger;
    this.createdAt = options.clock.now();
  }

  /** The workgroups: those declared, and `primary` (results under the first bucket's `athena/`) always. */
  workgroups(): Record<string, Workgroup> {
    const primary: Workgroup = {
      outputLocation: `s3://${this.lake.buckets[0] ?? 'athena-results'}/athena/`,
      maxConcurrentQueries: 150,
      maxQueuedQueries: 1000,
      queryTimeoutSeconds: 1800,
      memoryLimitMB: 1024,
    };
    return { [DEFAULT_WORKGROUP]: primary, ...this.lake.workgroups };
  }

  workgroup(name: string): Workgroup {
    const workgroup = this.workgroups()[name];
    if (workgroup === undefined) throw requestError('InvalidRequestException', `WorkGroup ${name} is not found.`);
    return workgroup;
  }

  async start(input: StartQuery): Promise<string> {
    if (input.clientRequestToken !== undefined) {
      const earlier = this.tokens.get(input.clientRequestToken);
      if (earlier !== undefined) {
        if (earlier.query !== input.query)
          throw requestError('InvalidRequestException', 'Idempotent parameters do not match');
        return earlier.id;
      }
    }
    const workgroupName = input.workgroup ?? DEFAULT_WORKGROUP;
    const workgroup = this.workgroup(workgroupName);
    const database = (input.database ?? 'default').toLowerCase();
    // Grants are checked before anything is queued or run: a refused table is an AccessDeniedException here.
    let refusal: string | undefined;
    let guarded: GuardedQuery | undefined;
    try {
      guarded = (await this.engine.prepare(input.query, database, input.principal)).guarded;
    } catch (error) {
      if (isTributaryError(error, 'ERR_ACCESS_DENIED')) throw error;
      refusal = error instanceof Error ? error.message : String(error);
    }
    const queued = this.queues.get(workgroupName) ?? [];
    if (refusal === undefined && (this.running.get(workgroupName) ?? 0) >= workgroup.maxConcurrentQueries) {
      if (queued.length >= workgroup.maxQueuedQueries)
        throw requestError(
          'TooManyRequestsException',
          `WorkGroup ${workgroupName} has ${workgroup.maxConcurrentQueries} queries running and ${queued.length} waiting`,
          'ERR_QUERY_LIMIT',
        );
    }
    const id = randomUUID();
    const outputLocation = input.outputLocation ?? workgroup.outputLocation;
    const execution: QueryExecution = {
      id,
      query: input.query,
      database,
      workgroup: workgroupName,
      outputLocation: `${outputLocation.replace(/\/?$/, '/')}${id}.csv`,
      principal: input.principal,
      state: 'QUEUED',
      stateChangeReason: undefined,
      submittedAt: this.clock.now(),
      startedAt: undefined,
      completedAt: undefined,
      result: undefined,
      abort: new AbortController(),
      guarded,
    };
    this.executions.set(id, execution);
    this.order.push(id);
    if (input.clientRequestToken !== undefined) this.tokens.set(input.clientRequestToken, { id, query: input.query });
    if (refusal !== undefined) {
      this.finish(execution, 'FAILED', refusal);
      return id;
    }
    queued.push(execution);
    this.queues.set(workgroupName, queued);
    this.pump(workgroupName);
    return id;
  }

  get(id: string): QueryExecution {
    const execution = this.executions.get(id);
    if (execution === undefined) throw requestError('InvalidRequestException', `QueryExecution ${id} was not found`);
    return execution;
  }

  /** Resolves once the query reached SUCCEEDED, FAILED or CANCELLED. */
  settled(id: string): Promise<QueryExecution> {
    const execution = this.get(id);
    if (isFinal(execution.state)) return Promise.resolve(execution);
    return new Promise((resolve) => {
      const waiters = this.settledWaiters.get(id) ?? [];
      waiters.push(() => resolve(execution));
      this.settledWaiters.set(id, waiters);
    });
  }

  stop(id: string): void {
    const execution = this.get(id);
    if (isFinal(execution.state)) return;
    if (execution.state === 'QUEUED') {
      const queue = this.queues.get(execution.workgroup) ?? [];
      this.queues.set(
        execution.workgroup,
        queue.filter((q) => q !== execution),
      );
      this.finish(execution, 'CANCELLED', 'Query was cancelled by the user');
      return;
    }
    execution.abort.abort();
  }

  /** Newest first, optionally of one workgroup. */
  list(workgroup?: string): string[] {
    return this.order
      .filter((id) => workgroup === undefined || this.executions.get(id)?.workgroup === workgroup)
      .reverse();
  }

  /** Starts queued queries while the workgroup has room. */
  private pump(workgroupName: string): void {
    const workgroup = this.workgroup(workgroupName);
    const queue = this.queues.get(workgroupName) ?? [];
    while (queue.length > 0 && (this.running.get(workgroupName) ?? 0) < workgroup.maxConcurrentQueries) {
      const next = queue.shift();
      if (next === undefined) break;
      this.running.set(workgroupName, (this.running.get(workgroupName) ?? 0) + 1);
      void this.execute(next, workgroup).finally(() => {
        this.running.set(workgroupName, (this.running.get(workgroupName) ?? 1) - 1);
        this.pump(workgroupName);
      });
    }
  }

  private async execute(execution: QueryExecution, workgroup: Workgroup): Promise<void> {
    execution.state = 'RUNNING';
    execution.startedAt = this.clock.now();
    try {
      const result = await this.engine.run(execution.query, {
        database: execution.database,
        principal: execution.principal,
        timeoutMs: workgroup.queryTimeoutSeconds * 1000,
        ...(execution.guarded === undefined ? {} : { guarded: execution.guarded }),
        ...(workgroup.bytesScannedCutoffPerQuery === undefined
          ? {}
          : { maxScannedBytes: workgroup.bytesScannedCutoffPerQuery }),
        signal: execution.abort.signal,
      });
      execution.result = result;
      await this.writeResults(execution, result);
      this.finish(execution, 'SUCCEEDED', undefined);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (execution.abort.signal.aborted) this.finish(execution, 'CANCELLED', 'Query was cancelled by the user');
      else this.finish(execution, 'FAILED', message);
    }
  }

  /** Athena's output: `<id>.csv` (header row, then rows) and `<id>.csv.metadata` (the column info, as JSON here). */
  private async writeResults(execution: QueryExecution, result: QueryResult): Promise<void> {
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(execution.outputLocation);
    if (match?.[1] === undefined || match[2] === undefined) return;
    try {
      await this.sink.ensureBucket(match[1]);
      await Promise.all([
        this.sink.put(match[1], match[2], Buffer.from(resultCsv(result))),
        this.sink.put(
          match[1],
          `${match[2]}.metadata`,
          Buffer.from(JSON.stringify({ columns: result.columns, rows: result.rows.length })),
        ),
      ]);
    } catch (error) {
      this.logger.warn({ query: execution.id, error: String(error) }, 'query results could not be written');
    }
  }

  private finish(execution: QueryExecution, state: QueryState, reason: string | undefined): void {
    execution.state = state;
    execution.stateChangeReason = reason;
    execution.completedAt = this.clock.now();
    for (const wake of this.settledWaiters.get(execution.id) ?? []) wake();
    this.settledWaiters.delete(execution.id);
  }
}

const isFinal = (state: QueryState): boolean => state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED';
