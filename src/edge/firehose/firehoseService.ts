import type { DeliveryStreams } from '../../lake/streams/deliveryStreams.js';
import { FIREHOSE } from '../../model/awsLimits.js';
import { LOCAL_ACCOUNT_ID } from '../../runtime/functionArn.js';
import { isJsonObject } from '../../shared/jsonObject.js';
import { isTributaryError, TributaryError } from '../../shared/tributaryError.js';
import { awsJsonError, awsJsonOk, awsJsonRequest } from '../awsJson.js';
import type { EdgeRequest, EdgeResponse, EdgeService } from '../edgeMessage.js';

const TARGET_PREFIX = 'Firehose_20150804.';

/** AWS's schema-validation error, e.g. for a record over 1,000 KiB or a batch of 501. */
const validation = (what: string, constraint: string): EdgeResponse =>
  awsJsonError(
    400,
    'ValidationException',
    `1 validation error detected: Value at '${what}' failed to satisfy constraint: ${constraint}`,
  );

/** A record's `Data` (base64 in JSON), or a validation error. */
function recordData(record: unknown, path: string): Buffer | EdgeResponse {
  if (!isJsonObject(record) || typeof record.Data !== 'string')
    return validation(`${path}.data`, 'Member must not be null');
  const data = Buffer.from(record.Data, 'base64');
  if (data.length > FIREHOSE.maxRecordBytes)
    return validation(`${path}.data`, `Member must have length less than or equal to ${FIREHOSE.maxRecordBytes}`);
  return data;
}

/**
 * Amazon Data Firehose's API for Direct PUT streams, so `@aws-sdk/client-firehose` works unchanged: PutRecord,
 * PutRecordBatch (500 records / 4 MiB / 1,000 KiB per record; per-record failures in `RequestResponses`),
 * DescribeDeliveryStream and ListDeliveryStreams.
 *
 * @example
 * new FirehoseService(() => session.streams);
 */
export class FirehoseService implements EdgeService {
  readonly name = 'firehose';
  private readonly streams: () => DeliveryStreams | undefined;
  private readonly region: () => string;

  constructor(streams: () => DeliveryStreams | undefined, region: () => string) {
    this.streams = streams;
    this.region = region;
  }

  matches(request: EdgeRequest): boolean {
    return request.headers['x-amz-target']?.startsWith(TARGET_PREFIX) === true;
  }

  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    const parsed = awsJsonRequest(request, TARGET_PREFIX, 'SerializationException');
    if (!('operation' in parsed)) return parsed;
    const { operation, input } = parsed;
    try {
      switch (operation) {
        case 'PutRecord':
          return await this.putRecord(input);
        case 'PutRecordBatch':
          return await this.putRecordBatch(input);
        case 'DescribeDeliveryStream':
          return this.describe(input);
        case 'ListDeliveryStreams':
          return this.list(input);
        default:
          return awsJsonError(400, 'UnknownOperationException', `Tributary does not emulate Firehose ${operation}`);
      }
    } catch (error) {
      if (isTributaryError(error) && error.aws !== undefined)
        return awsJsonError(error.aws.status, error.aws.type, error.message);
      throw error;
    }
  }

  private streamsOrNone(): DeliveryStreams {
    const streams = this.streams();
    if (streams === undefined) throw notFound('(none: the app has no lake.streams)');
    return streams;
  }

  private async putRecord(input: Record<string, unknown>): Promise<EdgeResponse> {
    const name = input.DeliveryStreamName;
    if (typeof name !== 'string') return validation('deliveryStreamName', 'Member must not be null');
    const data = recordData(input.Record, 'record');
    if (!Buffer.isBuffer(data)) return data;
    const stream = this.streamsOrNone().get(name);
    const [id] = (await stream.put([data])).recordIds();
    if (id === undefined) return awsJsonError(503, 'ServiceUnavailableException', 'Slow down.');
    return awsJsonOk({ RecordId: id, Encrypted: false });
  }

  private async putRecordBatch(input: Record<string, unknown>): Promise<EdgeResponse> {
    const name = input.DeliveryStreamName;
    if (typeof name !== 'string') return validation('deliveryStreamName', 'Member must not be null');
    const records = input.Records;
    if (!Array.isArray(records) || records.length === 0)
      return validation('records', 'Member must have length greater than or equal to 1');
    if (records.length > FIREHOSE.maxBatchRecords)
      return validation('records', `Member must have length less than or equal to ${FIREHOSE.maxBatchRecords}`);
    // Decode every record straight into one buffer, laid out as NDJSON (a newline after each record): when the
    // records are single-line, the stream journals, buffers and converts the batch as one block.
    let total = 0;
    for (const [i, record] of records.entries()) {
      if (!isJsonObject(record) || typeof record.Data !== 'string')
        return validation(`records.${i + 1}.member.data`, 'Member must not be null');
      const size = Buffer.byteLength(record.Data, 'base64');
      if (size > FIREHOSE.maxRecordBytes)
        return validation(
          `records.${i + 1}.member.data`,
          `Member must have length less than or equal to ${FIREHOSE.maxRecordBytes}`,
        );
      total += size;
    }
    if (total > FIREHOSE.maxBatchBytes)
      return awsJsonError(400, 'InvalidArgumentException', 'Records size exceeds 4 MB limit');
    const block = Buffer.allocUnsafe(total + records.length);
    const data: Buffer[] = [];
    let offset = 0;
    let singleLine = true;
    for (const record of records as { Data: string }[]) {
      const written = block.write(record.Data, offset, 'base64');
      const bytes = block.subarray(offset, offset + written);
      const newline = bytes.indexOf(10);
      if (written === 0 || (newline >= 0 && newline !== written - 1) || bytes[written - (newline < 0 ? 1 : 2)] === 13)
        singleLine = false;
      data.push(bytes);
      offset += written;
      if (newline < 0) block[offset++] = 10;
    }
    const stream = this.streamsOrNone().get(name);
    const outcome = await stream.put(data, singleLine ? block.subarray(0, offset) : undefined);
    const ids = outcome.recordIds();
    const failed = outcome.total - outcome.accepted;
    return awsJsonOk({
      FailedPutCount: failed,
      Encrypted: false,
      RequestResponses: ids.map((id) =>
        id === undefined ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: id },
      ),
    });
  }

  private describe(input: Record<string, unknown>): EdgeResponse {
    const name = input.DeliveryStreamName;
    if (typeof name !== 'string') return validation('deliveryStreamName', 'Member must not be null');
    const stream = this.streamsOrNone().get(name);
    const { config } = stream;
    const region = this.region();
    return awsJsonOk({
      DeliveryStreamDescription: {
        DeliveryStreamName: name,
        DeliveryStreamARN: `arn:aws:firehose:${region}:${LOCAL_ACCOUNT_ID}:deliverystream/${name}`,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
        VersionId: '1',
        CreateTimestamp: stream.createdAt / 1000,
        HasMoreDestinations: false,
        Destinations: [
          {
            DestinationId: 'destinationId-000000000001',
            ExtendedS3DestinationDescription: {
              RoleARN: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/tributary-firehose`,
              BucketARN: `arn:aws:s3:::${config.bucket}`,
              Prefix: config.prefix,
              ...(config.errorOutputPrefix === undefined ? {} : { ErrorOutputPrefix: config.errorOutputPrefix }),
              BufferingHints: {
                SizeInMBs: config.buffering.sizeInMBs,
                IntervalInSeconds: config.buffering.intervalInSeconds,
              },
              CompressionFormat: 'UNCOMPRESSED',
              DataFormatConversionConfiguration: { Enabled: config.format === 'parquet' },
              DynamicPartitioningConfiguration: { Enabled: config.dynamicPartitioning !== undefined },
            },
          },
        ],
      },
    });
  }

  private list(input: Record<string, unknown>): EdgeResponse {
    const limit = typeof input.Limit === 'number' ? Math.min(10_000, Math.max(1, input.Limit)) : 10;
    const after =
      typeof input.ExclusiveStartDeliveryStreamName === 'string' ? input.ExclusiveStartDeliveryStreamName : '';
    const names = (this.streams()?.names() ?? []).filter((n) => n > after);
    return awsJsonOk({ DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit });
  }
}

const notFound = (name: string): TributaryError =>
  new TributaryError('ERR_STREAM_NOT_FOUND', `Firehose ${name} under account ${LOCAL_ACCOUNT_ID} not found.`, {
    aws: { status: 400, type: 'ResourceNotFoundException' },
  });
