import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../shared/jsonObject.js';
import type { SourceRecord } from './recordSource.js';

/** Why a batch was given up on, as Lambda names it in the record. */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface FailedBatch {
  readonly mappingId: string;
  readonly functionArn: string;
  readonly sourceArn: string;
  readonly shardId: string;
  readonly records: readonly SourceRecord[];
  readonly condition: FailureCondition;
  readonly invokeCount: number;
  /** The last invocation's answer: status, executed version, function error type. */
  readonly lastStatus: number;
  readonly functionError: string | undefined;
  readonly nowMs: number;
}

/**
 * The on-failure record for a stream batch: the batch's metadata (`DDBStreamBatchInfo`), not its records, as
 * Lambda sends to SQS and SNS; an S3 destination also receives the batch itself as `payload`.
 */
export function failureRecord(batch: FailedBatch): JsonObject {
  const first = batch.records[0];
  const last = batch.records.at(-1);
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.invokeCount,
    },
    responseContext: {
      statusCode: batch.lastStatus,
      executedVersion: '$LATEST',
      functionError: batch.functionError ?? '',
    },
    version: '1.0',
    timestamp: new Date(batch.nowMs).toISOString(),
    DDBStreamBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first?.identifier,
      endSequenceNumber: last?.identifier,
      approximateArrivalOfFirstRecord: first === undefined ? undefined : new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: last === undefined ? undefined : new Date(last.arrivalMs).toISOString(),
      batchSize: batch.records.length,
      streamArn: batch.sourceArn,
    },
    payload: JSON.stringify({ Records: batch.records.map((record) => record.event) }),
  };
}

/** Lambda's S3 key for an on-failure record: `aws/lambda/<ESM UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`. */
export function failureObjectKey(prefix: string, mappingId: string, shardId: string, nowMs: number): string {
  const iso = new Date(nowMs).toISOString();
  const [date = '', time = ''] = iso.split('T');
  const stamp = `${date}T${time.slice(0, 8).replaceAll(':', '.')}`;
  return `${prefix}aws/lambda/${mappingId}/${shardId}/${date.replaceAll('-', '/')}/${stamp}-${randomUUID()}`;
}
