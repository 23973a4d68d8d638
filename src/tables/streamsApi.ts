import { createHash } from 'node:crypto';
import { DYNAMODB_STREAMS } from '../model/awsLimits.js';
import type { Clock } from '../shared/clock.js';
import { isJsonObject, type JsonObject } from '../shared/jsonObject.js';
import type { DynamoAnswer } from './dynaliteEngine.js';
import { dynamoError, validationError } from './dynamoErrors.js';
import { formatSequenceNumber, parseSequenceNumber, type StreamStore, type TableStream } from './streamStore.js';

/** The single shard of a stream (one per stream here: tables are small enough not to split). */
export const shardIdOf = (stream: TableStream): string =>
  `shardId-${String(stream.createdMs).padStart(20, '0')}-${createHash('sha256').update(stream.arn).digest('hex').slice(0, 8)}`;

/** What a shard iterator holds: the stream, the position after which to read, and when it was issued. */
interface Iterator {
  readonly arn: string;
  readonly after: bigint;
  readonly issuedMs: number;
}

const encodeIterator = (iterator: Iterator): string =>
  Buffer.from(JSON.stringify({ a: iterator.arn, p: iterator.after.toString(), t: iterator.issuedMs })).toString(
    'base64url',
  );

function decodeIterator(text: unknown): Iterator | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      !isJsonObject(parsed) ||
      typeof parsed.a !== 'string' ||
      typeof parsed.p !== 'string' ||
      typeof parsed.t !== 'number'
    )
      return undefined;
    return { arn: parsed.a, after: BigInt(parsed.p), issuedMs: parsed.t };
  } catch {
    return undefined;
  }
}

/**
 * The DynamoDB Streams API (ListStreams, DescribeStream, GetShardIterator, GetRecords) over the stream store, for
 * clients that read streams themselves. Iterators expire after 15 minutes; positions older than the 24-hour
 * retention answer TrimmedDataAccessException.
 *
 * @example
 * await streamsApi.handle('ListStreams', { TableName: 'orders' });
 */
export class StreamsApi {
  private readonly streams: StreamStore;
  private readonly clock: Clock;
  private readonly keySchema: (table: string) => Promise<readonly JsonObject[]>;

  constructor(options: {
    streams: StreamStore;
    clock: Clock;
    keySchema: (table: string) => Promise<readonly JsonObject[]>;
  }) {
    this.streams = options.streams;
    this.clock = options.clock;
    this.keySchema = options.keySchema;
  }

  async handle(operation: string, input: JsonObject): Promise<DynamoAnswer | undefined> {
    switch (operation) {
      case 'ListStreams':
        return this.listStreams(input);
      case 'DescribeStream':
        return this.describeStream(input);
      case 'GetShardIterator':
        return this.getShardIterator(input);
      case 'GetRecords':
        return this.getRecords(input);
      default:
        return undefined;
    }
  }

  private listStreams(input: JsonObject): DynamoAnswer {
    const table = typeof input.TableName === 'string' ? input.TableName : undefined;
    const limit = typeof input.Limit === 'number' ? input.Limit : 100;
    let streams = this.streams.list(table);
    if (typeof input.ExclusiveStartStreamArn === 'string') {
      const start = streams.findIndex((stream) => stream.arn === input.ExclusiveStartStreamArn);
      streams = streams.slice(start + 1);
    }
    const page = streams.slice(0, limit);
    const last = page.at(-1);
    return {
      status: 200,
      body: {
        Streams: page.map((stream) => ({ StreamArn: stream.arn, TableName: stream.table, StreamLabel: stream.label })),
        ...(streams.length > limit && last !== undefined ? { LastEvaluatedStreamArn: last.arn } : {}),
      },
    };
  }

  private stream(arn: unknown): TableStream | DynamoAnswer {
    const stream = typeof arn === 'string' ? this.streams.byArn(arn) : undefined;
    return (
      stream ??
      dynamoError('ResourceNotFoundException', `Requested resource not found: Stream: ${String(arn)} not found`)
    );
  }

  private async describeStream(input: JsonObject): Promise<DynamoAnswer> {
    const stream = this.stream(input.StreamArn);
    if ('status' in stream) return stream;
    const bounds = this.streams.bounds(stream.arn);
    const start = bounds?.first ?? this.streams.head() + 1n;
    return {
      status: 200,
      body: {
        StreamDescription: {
          StreamArn: stream.arn,
          StreamLabel: stream.label,
          StreamStatus: stream.disabledMs === undefined ? 'ENABLED' : 'DISABLED',
          StreamViewType: stream.viewType,
          CreationRequestDateTime: stream.createdMs / 1000,
          TableName: stream.table,
          KeySchema: await this.keySchema(stream.table),
          Shards: [
            {
              ShardId: shardIdOf(stream),
              SequenceNumberRange: {
                StartingSequenceNumber: formatSequenceNumber(start),
                ...(stream.endSeq === undefined ? {} : { EndingSequenceNumber: formatSequenceNumber(stream.endSeq) }),
              },
            },
          ],
        },
      },
    };
  }

  private getShardIterator(input: JsonObject): DynamoAnswer {
    const stream = this.stream(input.StreamArn);
    if ('status' in stream) return stream;
    if (input.ShardId !== shardIdOf(stream))
      return dynamoError(
        'ResourceNotFoundException',
        `Requested resource not found: Shard: ${String(input.ShardId)} in Stream: ${stream.arn} not found`,
      );
    const type = input.ShardIteratorType;
    let after: bigint;
    if (type === 'TRIM_HORIZON') after = 0n;
    else if (type === 'LATEST') after = stream.endSeq ?? this.streams.head();
    else if (type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') {
      const seq = typeof input.SequenceNumber === 'string' ? parseSequenceNumber(input.SequenceNumber) : undefined;
      if (seq === undefined) return validationError('SequenceNumber must be a sequence number of this shard');
      const first = this.streams.bounds(stream.arn)?.first;
      if (first !== undefined && seq < first)
        return dynamoError('TrimmedDataAccessException', 'The requested sequence number is beyond the trim horizon');
      after = type === 'AT_SEQUENCE_NUMBER' ? seq - 1n : seq;
    } else
      return validationError(
        'ShardIteratorType must be TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER',
      );
    return {
      status: 200,
      body: { ShardIterator: encodeIterator({ arn: stream.arn, after, issuedMs: this.clock.now() }) },
    };
  }

  private getRecords(input: JsonObject): DynamoAnswer {
    const iterator = decodeIterator(input.ShardIterator);
    if (iterator === undefined) return validationError('Invalid ShardIterator');
    const now = this.clock.now();
    if (now - iterator.issuedMs > DYNAMODB_STREAMS.iteratorLifetimeMs)
      return dynamoError('ExpiredIteratorException', 'Iterator expired. The iterator was created over 15 minutes ago.');
    const stream = this.stream(iterator.arn);
    if ('status' in stream) return stream;
    const first = this.streams.bounds(stream.arn)?.first;
    if (iterator.after > 0n && first !== undefined && iterator.after + 1n < first)
      return dynamoError('TrimmedDataAccessException', 'The records at this iterator are beyond the trim horizon');
    const limit = Math.min(
      typeof input.Limit === 'number' ? input.Limit : DYNAMODB_STREAMS.maxRecordsPerGetRecords,
      DYNAMODB_STREAMS.maxRecordsPerGetRecords,
    );
    const records = this.streams.read(stream.arn, iterator.after, limit);
    const after = records.at(-1)?.seq ?? iterator.after;
    const closed = stream.endSeq !== undefined && after >= stream.endSeq;
    return {
      status: 200,
      body: {
        Records: records.map((stored) => stored.record),
        ...(closed ? {} : { NextShardIterator: encodeIterator({ arn: stream.arn, after, issuedMs: now }) }),
      },
    };
  }
}
