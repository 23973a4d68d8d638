import { randomBytes } from 'node:crypto';
import type { LakeTable, DeliveryStream as StreamConfig } from '../../model/lakeSchema.js';
import type { Clock, Timer } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { TributaryError } from '../../shared/tributaryError.js';
import type { ObjectSink } from '../objectSink.js';
import { errorOutputLine } from './errorOutput.js';
import { splitNdjson } from './ndjsonLines.js';
import type { ParquetConverter } from './parquetConverter.js';
import { extractPartitionKeys } from './partitionKeys.js';
import { evaluatePrefix, objectName } from './prefixExpressions.js';
import type { StreamJournal } from './streamJournal.js';
import { StreamQuota } from './streamQuota.js';

/**
 * One buffered record — or, with `count`, a block of that many canonical NDJSON records (each ending in `\n`) kept
 * whole — with when it arrived and the journal segment that holds it.
 */
interface Buffered {
  readonly data: Buffer;
  readonly arrivalMs: number;
  readonly segment: number;
  readonly count?: number;
}

const NEWLINE = Buffer.from('\n');

/** The records of an item, one each (a block split at its newlines). */
function recordsOfItem(item: Buffered): Buffer[] {
  return item.count === undefined ? [item.data] : splitNdjson(item.data).records;
}

/** The records of one active partition, delivered together as one object. */
interface Partition {
  readonly keys: Readonly<Record<string, string>> | undefined;
  records: Buffered[];
  bytes: number;
  timer: Timer | undefined;
}

/** Records on their way to the error prefix, with the reason. */
interface Failure {
  readonly record: Buffered;
  readonly errorCode: string;
  readonly message: string;
  readonly outputType: string;
}

/** In-memory records per stream beyond which puts are refused (ServiceUnavailableException) instead of growing. */
const MAX_BUFFERED_BYTES = 256 * 1024 * 1024;
/** Delivery retries back off up to this (Firehose keeps retrying S3 for up to 24 h). */
const MAX_RETRY_DELAY_MS = 60_000;

export interface DeliveryStreamOptions {
  readonly name: string;
  readonly config: StreamConfig;
  /** The Glue-like table that drives conversion, by name. */
  readonly table: { readonly name: string; readonly definition: LakeTable } | undefined;
  readonly region: string;
  readonly journal: StreamJournal;
  readonly sink: ObjectSink;
  /** Set for Parquet streams. */
  readonly converter: ParquetConverter | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** In-memory bytes beyond which puts are refused (default 256 MiB). */
  readonly maxBufferedBytes?: number;
}

/** What a put accepted: the first `accepted` records, in order; the rest were refused (over the quota). */
export interface PutOutcome {
  readonly accepted: number;
  readonly total: number;
  /** One id per record, `undefined` for a refused one. */
  recordIds(): (string | undefined)[];
}

/** What DescribeDeliveryStream and the tests read. */
export interface StreamStats {
  readonly recordsAccepted: number;
  readonly recordsDelivered: number;
  readonly recordsFailed: number;
  readonly objectsWritten: number;
  readonly bufferedBytes: number;
}

/**
 * A Firehose Direct PUT stream into the lake. A put is acknowledged once its records are fsynced in the journal;
 * they are then buffered per active partition (dynamic partitioning keys) and delivered as one object per flush —
 * when the buffer reaches `sizeInMBs` or the oldest record is `intervalInSeconds` old — as JSON lines or as
 * Parquet with the table's types. Records that cannot be partitioned or converted go to the error prefix as
 * Firehose's error documents with their raw data; a failed write is retried. Nothing acknowledged is dropped.
 */
export class DeliveryStream {
  readonly name: string;
  readonly config: StreamConfig;
  readonly createdAt: number;
  private readonly options: DeliveryStreamOptions;
  private readonly partitions = new Map<string, Partition>();
  private readonly quota: StreamQuota;
  private readonly idPrefix = randomBytes(9).toString('base64url');
  private nextId = 0;
  private bufferedBytes = 0;
  /** Deliveries run one at a time, in flush order. */
  private delivering: Promise<void> = Promise.resolve();
  private retryDelayMs = 1_000;
  private closed = false;
  private stats = { recordsAccepted: 0, recordsDelivered: 0, recordsFailed: 0, objectsWritten: 0 };

  constructor(options: DeliveryStreamOptions) {
    this.options = options;
    this.name = options.name;
    this.config = options.config;
    this.createdAt = options.clock.now();
    this.quota = new StreamQuota(options.config.quota, options.clock);
  }

  /** Replays what the journal still holds (records acknowledged before a restart but not yet delivered). */
  async start(): Promise<number> {
    await this.options.sink.ensureBucket(this.config.bucket);
    const replay = this.options.journal.recover();
    let count = 0;
    for (const record of replay) {
      count += record.count ?? 1;
      if (record.count === undefined) this.buffer(record);
      else if (this.config.dynamicPartitioning === undefined) this.bufferItem('', record);
      else for (const data of splitNdjson(record.data).records) this.buffer({ ...record, data, count: undefined });
    }
    return count;
  }

  getStats(): StreamStats {
    return { ...this.stats, bufferedBytes: this.bufferedBytes };
  }

  /**
   * Accepts records: refused whole when the stream is over its request quota or buffer (ServiceUnavailableException,
   * as Firehose answers), else the records the record and byte quotas cover — in order — are journalled and
   * acknowledged with a record id each; the rest come back as `undefined` (the caller reports them failed).
   */
  async put(records: readonly Buffer[], block?: Buffer): Promise<PutOutcome> {
    if (this.closed) throw unavailable('The delivery stream is shutting down.');
    let total = 0;
    for (const r of records) total += r.length;
    if (this.bufferedBytes + total > (this.options.maxBufferedBytes ?? MAX_BUFFERED_BYTES) || !this.quota.request())
      throw unavailable('Slow down.');
    const admitted = this.quota.take(records);
    const accepted = admitted === records.length ? records : records.slice(0, admitted);
    const firstId = this.nextId;
    if (accepted.length > 0) {
      let bytes = 0;
      for (const r of accepted) bytes += r.length;
      const arrivalMs = this.options.clock.now();
      this.bufferedBytes += bytes;
      let segment: number;
      // A canonical NDJSON body, all accepted, into a stream without partitioning: journalled and buffered whole.
      const whole =
        block !== undefined &&
        admitted === records.length &&
        this.config.dynamicPartitioning === undefined &&
        this.config.appendNewline;
      try {
        segment = whole
          ? await this.options.journal.appendBlock(block, records.length, arrivalMs)
          : await this.options.journal.append(accepted, arrivalMs);
      } finally {
        this.bufferedBytes -= bytes;
      }
      if (whole) this.bufferItem('', { data: block, arrivalMs, segment, count: records.length });
      else if (this.config.dynamicPartitioning === undefined) this.bufferAll(accepted, arrivalMs, segment);
      else for (const data of accepted) this.buffer({ data, arrivalMs, segment });
      this.nextId += accepted.length;
      this.stats.recordsAccepted += accepted.length;
    }
    const prefix = this.idPrefix;
    return {
      accepted: admitted,
      total: records.length,
      // Ids are made only when asked for: a 10,000-record NDJSON body needs none.
      recordIds: () =>
        records.map((_, i) => (i < admitted ? `${prefix}${(firstId + i).toString(36).padStart(12, '0')}` : undefined)),
    };
  }

  /** Delivers everything buffered now (shutdown, tests); resolves when written. */
  async flushAll(): Promise<void> {
    for (const key of [...this.partitions.keys()]) this.flush(key);
    await this.delivering;
  }

  /**
   * Stops taking puts and, with `flush` (the default), delivers what is buffered, waiting at most `waitMs` of real
   * time (a stalled destination must not hang shutdown). Whatever is not delivered stays in the journal and is
   * replayed at the next start.
   */
  async close(options: { flush?: boolean; waitMs?: number } = {}): Promise<void> {
    this.closed = true;
    if (options.flush !== false) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.waitMs ?? 10_000);
      });
      await Promise.race([this.flushAll().catch(() => undefined), limit]);
      clearTimeout(timer);
    }
    for (const partition of this.partitions.values()) partition.timer?.cancel();
    this.options.journal.close();
  }

  /** Without dynamic partitioning every record joins the one partition: a batch is buffered at once. */
  private bufferAll(records: readonly Buffer[], arrivalMs: number, segment: number): void {
    const partition = this.partitionFor('', undefined);
    if (partition === undefined) {
      for (const data of records) this.buffer({ data, arrivalMs, segment });
      return;
    }
    let bytes = 0;
    for (const data of records) {
      partition.records.push({ data, arrivalMs, segment });
      bytes += data.length;
    }
    partition.bytes += bytes;
    this.bufferedBytes += bytes;
    if (partition.bytes >= this.config.buffering.sizeInMBs * 1024 * 1024) this.flush('');
  }

  /** Buffers one item (a record or a block) into the partition without keys. */
  private bufferItem(id: string, item: Buffered): void {
    const partition = this.partitionFor(id, undefined);
    if (partition === undefined) {
      for (const data of recordsOfItem(item)) this.buffer({ data, arrivalMs: item.arrivalMs, segment: item.segment });
      return;
    }
    partition.records.push(item);
    partition.bytes += item.data.length;
    this.bufferedBytes += item.data.length;
    if (partition.bytes >= this.config.buffering.sizeInMBs * 1024 * 1024) this.flush(id);
  }

  /** The partition for these keys, opened (with its interval timer) if new; undefined past the active limit. */
  private partitionFor(id: string, keys: Record<string, string> | undefined): Partition | undefined {
    let partition = this.partitions.get(id);
    if (partition !== undefined) return partition;
    if (this.partitions.size >= this.config.activePartitionLimit) return undefined;
    partition = { keys, records: [], bytes: 0, timer: undefined };
    this.partitions.set(id, partition);
    const current = partition;
    current.timer = this.options.clock.setTimer(this.config.buffering.intervalInSeconds * 1000, () => {
      if (this.partitions.get(id) === current) this.flush(id);
    });
    return partition;
  }

  private buffer(record: Buffered): void {
    const keysConfig = this.config.dynamicPartitioning?.keys;
    let keys: Record<string, string> | undefined;
    if (keysConfig !== undefined) {
      keys = extractPartitionKeys(record.data, keysConfig);
      if (keys === undefined) {
        this.fail([
          {
            record,
            errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
            message: 'Non JSON record provided, or a partition key is missing or not a scalar',
            outputType: 'processing-failed',
          },
        ]);
        return;
      }
    }
    const id = keys === undefined ? '' : JSON.stringify(keys);
    const partition = this.partitionFor(id, keys);
    if (partition === undefined) {
      this.fail([
        {
          record,
          errorCode: 'DynamicPartitioning.ActivePartitionsLimitExceeded',
          message: `The active partition limit (${this.config.activePartitionLimit}) is reached`,
          outputType: 'activePartitionExceeded',
        },
      ]);
      return;
    }
    partition.records.push(record);
    partition.bytes += record.data.length;
    this.bufferedBytes += record.data.length;
    if (partition.bytes >= this.config.buffering.sizeInMBs * 1024 * 1024) this.flush(id);
  }

  private flush(id: string): void {
    const partition = this.partitions.get(id);
    if (partition === undefined) return;
    this.partitions.delete(id);
    partition.timer?.cancel();
    this.delivering = this.delivering.then(() => this.deliver(partition));
  }

  /** Sends records to the error prefix (in the delivery order, after what is already queued). */
  private fail(failures: Failure[]): void {
    for (const f of failures) this.bufferedBytes += f.record.data.length;
    this.delivering = this.delivering.then(() => this.writeFailures(failures));
  }

  /** Writes one partition's object; retried with backoff until it succeeds. */
  private async deliver(partition: Partition): Promise<void> {
    const { records } = partition;
    if (records.length === 0) return;
    const oldest = oldestArrival(records);
    for (;;) {
      try {
        let body: Buffer | undefined;
        let failures: Failure[] = [];
        const converter = this.options.converter;
        if (this.config.format === 'parquet' && this.options.table !== undefined && converter !== undefined) {
          const conversion = await converter.convert(records, this.options.table.definition, this.config.compression);
          body = conversion.parquet;
          failures = conversion.failed.flatMap((f) => {
            const item = records[f.item];
            return item === undefined
              ? []
              : [
                  {
                    record: { data: f.data, arrivalMs: item.arrivalMs, segment: item.segment },
                    errorCode: 'DataFormatConversion.MalformedData',
                    message: f.message,
                    outputType: 'format-conversion-failed',
                  },
                ];
          });
        } else {
          // Blocks already end every record with a newline; without appendNewline they are split back apart.
          body = Buffer.concat(
            records.flatMap((r) => {
              if (r.count !== undefined) return this.config.appendNewline ? [r.data] : recordsOfItem(r);
              return this.config.appendNewline && r.data.at(-1) !== 10 ? [r.data, NEWLINE] : [r.data];
            }),
          );
        }
        if (body !== undefined) {
          const prefix = evaluatePrefix(this.config.prefix, {
            timestampMs: oldest,
            ...(partition.keys === undefined ? {} : { partitionKeys: partition.keys }),
          });
          const suffix = this.config.format === 'parquet' ? '.parquet' : '';
          const key = `${prefix}${objectName(this.name, 1, oldest, randomBytes(16).toString('hex'))}${suffix}`;
          await this.options.sink.put(this.config.bucket, key, body);
          this.stats.objectsWritten += 1;
        }
        // The failed records' error documents; they are settled with the rest of the partition, just below.
        if (failures.length > 0) await this.writeFailures(failures, false);
        this.stats.recordsDelivered += countOf(records) - failures.length;
        this.settle(records);
        this.retryDelayMs = 1_000;
        return;
      } catch (error) {
        if (this.closed) return;
        this.options.logger.warn(
          {
            stream: this.name,
            error: error instanceof Error ? error.message : String(error),
            retryInMs: this.retryDelayMs,
          },
          'delivery failed; retrying',
        );
        await new Promise<void>((resolve) => this.options.clock.setTimer(this.retryDelayMs, resolve));
        this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2);
      }
    }
  }

  /** The error prefix's object for these records: one Firehose error document per line. */
  private async writeFailures(failures: Failure[], settle = true): Promise<void> {
    const byType = new Map<string, Failure[]>();
    for (const f of failures) byType.set(f.outputType, [...(byType.get(f.outputType) ?? []), f]);
    for (const [outputType, group] of byType) {
      const oldest = oldestArrival(group.map((f) => f.record));
      const prefix = evaluatePrefix(this.config.errorOutputPrefix ?? '!{firehose:error-output-type}/', {
        timestampMs: oldest,
        errorOutputType: outputType,
      });
      const now = this.options.clock.now();
      const table = this.options.table;
      const catalog =
        table === undefined
          ? undefined
          : { database: table.definition.database, table: table.name, region: this.options.region };
      const body = group.map((f) => errorOutputLine(f.record, f.errorCode, f.message, now, catalog)).join('');
      const key = `${prefix}${objectName(this.name, 1, oldest, randomBytes(16).toString('hex'))}`;
      for (;;) {
        try {
          await this.options.sink.put(this.config.bucket, key, Buffer.from(body));
          break;
        } catch (error) {
          if (this.closed) return;
          this.options.logger.warn({ stream: this.name, error: String(error) }, 'error output failed; retrying');
          await new Promise<void>((resolve) => this.options.clock.setTimer(this.retryDelayMs, resolve));
        }
      }
      this.stats.recordsFailed += group.length;
      if (settle) this.settle(group.map((f) => f.record));
    }
  }

  /** Delivered (or safely in the error prefix): release memory and the journal's hold on them. */
  private settle(records: readonly Buffered[]): void {
    const bySegment = new Map<number, number>();
    for (const r of records) {
      this.bufferedBytes -= r.data.length;
      bySegment.set(r.segment, (bySegment.get(r.segment) ?? 0) + (r.count ?? 1));
    }
    for (const [segment, count] of bySegment) this.options.journal.delivered(segment, count);
  }
}

const unavailable = (message: string): TributaryError =>
  new TributaryError('ERR_STREAM_UNAVAILABLE', message, {
    aws: { status: 503, type: 'ServiceUnavailableException', fields: {} },
  });

/** The arrival time of the oldest record (a loop: batches can be too long to spread into Math.min). */
function oldestArrival(records: readonly Buffered[]): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const r of records) if (r.arrivalMs < oldest) oldest = r.arrivalMs;
  return oldest;
}

/** Records in these items (a block counts its records). */
function countOf(items: readonly Buffered[]): number {
  let n = 0;
  for (const item of items) n += item.count ?? 1;
  return n;
}
