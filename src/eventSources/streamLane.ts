import { createHash } from 'node:crypto';
import { DYNAMODB_STREAMS, LAMBDA, STREAM_MAPPING } from '../model/awsLimits.js';
import type { StreamEventSource } from '../model/eventSourceSchema.js';
import type { InvokeResult } from '../runtime/functionRuntime.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { isTributaryError } from '../shared/tributaryError.js';
import { type BatchOutcome, partialBatchOutcome } from './batchResponse.js';
import type { CheckpointStore } from './checkpointStore.js';
import { matchesPattern } from './eventPattern.js';
import type { FailedBatch, FailureCondition } from './failureRecord.js';
import type { RecordSource, SourceRecord } from './recordSource.js';

export interface StreamLaneOptions {
  readonly mappingId: string;
  readonly functionArn: string;
  readonly config: StreamEventSource;
  readonly source: RecordSource;
  /** This lane's index among `config.parallelizationFactor` lanes. */
  readonly lane: number;
  readonly checkpoints: CheckpointStore;
  /** Invokes the function synchronously with the batch's event (throws when throttled). */
  readonly invoke: (payload: string) => Promise<InvokeResult>;
  /** Records a batch given up on (the on-failure destination), or drops it when there is none. */
  readonly onFailure: (batch: FailedBatch) => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Delay before the n-th retry of a batch (1-based). */
  readonly retryDelayMs: (attempt: number) => number;
}

/** Lambda retries a failing stream batch with growing delays; the exact curve is UNCONFIRMED (1 s doubling, ≤ 60 s). */
export const defaultRetryDelayMs = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), 60_000);

/** Thrown inside delivery when the lane stops: the batch is not checkpointed and runs again after a restart. */
class LaneStopped extends Error {}

/** How one invocation of a batch went. */
type Attempt = BatchOutcome | { readonly kind: 'throttled' } | { readonly kind: 'unavailable' };

const laneOf = (partitionKey: string, lanes: number): number =>
  lanes === 1 ? 0 : createHash('md5').update(partitionKey).digest().readUInt32BE(0) % lanes;

/**
 * One poller of an event source mapping: with `parallelizationFactor` N, N lanes each take the records whose key
 * hashes to them, so one key's records stay in order. A lane reads a batch after its checkpoint (batch size,
 * batching window, 6 MB), drops records the filters reject, invokes the function synchronously, and retries as
 * Lambda does: throttles until the records expire; function errors until `maximumRetryAttempts` or
 * `maximumRecordAgeInSeconds`, bisecting when asked; partial batch responses resume at the lowest failed record.
 * A batch given up on goes to the on-failure destination. The checkpoint moves only after a batch is done.
 */
export class StreamLane {
  private readonly options: StreamLaneOptions;
  private position = 0n;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly maxAgeMs: number;

  constructor(options: StreamLaneOptions) {
    this.options = options;
    const age = options.config.maximumRecordAgeInSeconds;
    this.maxAgeMs = age === -1 ? DYNAMODB_STREAMS.retentionMs : Math.min(age * 1000, DYNAMODB_STREAMS.retentionMs);
  }

  start(): void {
    const { checkpoints, mappingId, source, lane, config } = this.options;
    const saved = checkpoints.load(mappingId, source.arn, lane);
    if (saved !== undefined) this.position = saved;
    else {
      this.position = config.startingPosition === 'LATEST' ? source.latest() : 0n;
      checkpoints.save(mappingId, source.arn, lane, this.position);
    }
    this.unsubscribe = source.subscribe(() => this.wake());
    this.loop = this.run().catch((error: unknown) => {
      if (!(error instanceof LaneStopped))
        this.options.logger.error({ mapping: mappingId, error: String(error) }, 'event source mapping stopped');
    });
  }

  /** Stops polling; a batch in flight finishes its invocation but is not checkpointed if it must be retried. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  /** Waits for new records, the stop, or `delayMs` of the clock. */
  private sleep(delayMs: number): Promise<void> {
    if (delayMs <= 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      this.wakeUp = () => {
        timer?.cancel();
        resolve();
      };
      timer = this.options.clock.setTimer(delayMs, () => this.wake());
    });
  }

  private async run(): Promise<void> {
    let windowStart: number | undefined;
    while (!this.stopped) {
      const { records, through } = this.readBatch();
      if (records.length === 0) {
        if (through > this.position) this.checkpoint(through);
        else await this.sleep(STREAM_MAPPING.pollIntervalMs);
        continue;
      }
      const windowMs = this.options.config.maximumBatchingWindowInSeconds * 1000;
      if (records.length < this.options.config.batchSize && windowMs > 0) {
        const now = this.options.clock.now();
        windowStart ??= now;
        if (now - windowStart < windowMs) {
          await this.sleep(windowStart + windowMs - now);
          continue;
        }
      }
      windowStart = undefined;
      await this.deliver(records);
      this.checkpoint(through);
    }
  }

  private checkpoint(position: bigint): void {
    this.position = position;
    const { checkpoints, mappingId, source, lane } = this.options;
    checkpoints.save(mappingId, source.arn, lane, position);
  }

  /** This lane's next batch after the checkpoint, and the position it reaches (skipped records included). */
  private readBatch(): { records: SourceRecord[]; through: bigint } {
    const { source, config, lane } = this.options;
    const filters = config.filterCriteria?.filters ?? [];
    const records: SourceRecord[] = [];
    let through = this.position;
    let bytes = 0;
    for (;;) {
      const page = source.read(through, Math.max(config.batchSize, 1000));
      for (const record of page) {
        if (laneOf(record.partitionKey, config.parallelizationFactor) === lane) {
          if (filters.length === 0 || filters.some((filter) => matchesPattern(filter.pattern, record.event))) {
            const size = record.bytes + 1;
            if (records.length > 0 && bytes + size > LAMBDA.maxSyncPayloadBytes - 64) return { records, through };
            bytes += size;
            records.push(record);
          }
        }
        through = record.position;
        if (records.length === config.batchSize) return { records, through };
      }
      if (page.length === 0) return { records, through };
    }
  }

  /** Delivers a batch until it succeeds or is given up on. */
  private async deliver(batch: readonly SourceRecord[]): Promise<void> {
    const { config } = this.options;
    let records = batch;
    let retries = 0;
    let invocations = 0;
    for (;;) {
      records = await this.dropExpired(records, invocations);
      if (records.length === 0) return;
      const attempt = await this.invokeOnce(records);
      invocations += attempt.kind === 'throttled' || attempt.kind === 'unavailable' ? 0 : 1;
      if (attempt.kind === 'success') return;
      if (attempt.kind === 'failure' || attempt.kind === 'partial') {
        if (attempt.kind === 'partial') records = records.slice(attempt.from);
        if (attempt.kind === 'failure' && config.bisectBatchOnFunctionError && records.length > 1) {
          const half = Math.ceil(records.length / 2);
          await this.deliver(records.slice(0, half));
          await this.deliver(records.slice(half));
          return;
        }
        retries += 1;
        if (config.maximumRetryAttempts !== -1 && retries > config.maximumRetryAttempts) {
          await this.giveUp(records, 'RetryAttemptsExhausted', invocations, attempt);
          return;
        }
      }
      if (this.stopped) throw new LaneStopped();
      await this.sleep(this.options.retryDelayMs(Math.max(retries, 1)));
      if (this.stopped) throw new LaneStopped();
    }
  }

  /** Records older than the mapping's maximum age (or the stream's retention) go to the on-failure destination. */
  private async dropExpired(records: readonly SourceRecord[], invocations: number): Promise<readonly SourceRecord[]> {
    const now = this.options.clock.now();
    const expired = records.filter((record) => now - record.arrivalMs > this.maxAgeMs);
    if (expired.length === 0) return records;
    await this.giveUp(expired, 'RecordAgeExceeded', invocations, { kind: 'failure', functionError: undefined });
    return records.filter((record) => now - record.arrivalMs <= this.maxAgeMs);
  }

  private async giveUp(
    records: readonly SourceRecord[],
    condition: FailureCondition,
    invokeCount: number,
    last: Attempt,
  ): Promise<void> {
    const { mappingId, functionArn, source, clock, logger } = this.options;
    logger.warn({ mapping: mappingId, condition, records: records.length }, 'stream batch given up on');
    await this.options.onFailure({
      mappingId,
      functionArn,
      sourceArn: source.arn,
      shardId: source.shardId,
      records,
      condition,
      invokeCount,
      lastStatus: 200,
      functionError: last.kind === 'failure' ? (last.functionError ?? 'Unhandled') : undefined,
      nowMs: clock.now(),
    });
  }

  private async invokeOnce(records: readonly SourceRecord[]): Promise<Attempt> {
    const payload = JSON.stringify({ Records: records.map((record) => record.event) });
    let result: InvokeResult;
    try {
      result = await this.options.invoke(payload);
    } catch (error) {
      if (isTributaryError(error) && error.aws?.type === 'TooManyRequestsException') return { kind: 'throttled' };
      if (this.stopped) throw new LaneStopped();
      this.options.logger.warn({ mapping: this.options.mappingId, error: String(error) }, 'stream batch invoke failed');
      return { kind: 'unavailable' };
    }
    if (result.functionError !== undefined) return { kind: 'failure', functionError: result.functionError };
    if (!this.options.config.functionResponseTypes.includes('ReportBatchItemFailures')) return { kind: 'success' };
    return partialBatchOutcome(
      result.payload,
      records.map((record) => record.identifier),
    );
  }
}
