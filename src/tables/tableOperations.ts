import { STREAM_VIEW_TYPES, type StreamViewType } from '../model/tableSchema.js';
import type { Clock } from '../shared/clock.js';
import { isJsonObject, type JsonObject } from '../shared/jsonObject.js';
import { batchWriteItem } from './batchWrite.js';
import {
  DYNALITE_OPERATIONS,
  type DynaliteEngine,
  type DynaliteOperation,
  type DynamoAnswer,
} from './dynaliteEngine.js';
import { dynamoError, validationError } from './dynamoErrors.js';
import type { StreamStore, TableStream } from './streamStore.js';
import { streamArnOf, type TableWriter } from './tableWriter.js';
import type { Transactions } from './transactions.js';

const notFound = (table: string): DynamoAnswer =>
  dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${table} not found`);

/** A stream specification as CreateTable and UpdateTable take it. */
function streamSpecification(
  input: JsonObject,
): { enabled: boolean; viewType: StreamViewType | undefined } | DynamoAnswer | undefined {
  const spec = input.StreamSpecification;
  if (spec === undefined) return undefined;
  if (!isJsonObject(spec) || typeof spec.StreamEnabled !== 'boolean')
    return validationError('StreamSpecification.StreamEnabled is required');
  const viewType = spec.StreamViewType as StreamViewType | undefined;
  if (spec.StreamEnabled && (viewType === undefined || !STREAM_VIEW_TYPES.includes(viewType)))
    return validationError(`StreamViewType must be one of ${STREAM_VIEW_TYPES.join(', ')} when StreamEnabled is true`);
  return { enabled: spec.StreamEnabled, viewType };
}

/**
 * The DynamoDB API as applications use it: item reads, Query, Scan and the table API are the engine's; every
 * write goes through the change-capturing writer; transactions, TTL and stream settings are Tributary's (dynalite
 * has none of them), merged into the table descriptions the engine returns.
 *
 * @example
 * await operations.handle('PutItem', { TableName: 'orders', Item: { id: { S: 'o-1' } } });
 */
export class TableOperations {
  private readonly engine: DynaliteEngine;
  private readonly writer: TableWriter;
  private readonly transactions: Transactions;
  private readonly streams: StreamStore;
  private readonly clock: Clock;
  private readonly region: () => string;

  constructor(options: {
    engine: DynaliteEngine;
    writer: TableWriter;
    transactions: Transactions;
    streams: StreamStore;
    clock: Clock;
    region: () => string;
  }) {
    this.engine = options.engine;
    this.writer = options.writer;
    this.transactions = options.transactions;
    this.streams = options.streams;
    this.clock = options.clock;
    this.region = options.region;
  }

  /** Answers one operation, or undefined when it is not part of the emulated API. */
  async handle(operation: string, input: JsonObject): Promise<DynamoAnswer | undefined> {
    switch (operation) {
      case 'PutItem':
        return this.writer.putItem(input);
      case 'UpdateItem':
        return this.writer.updateItem(input);
      case 'DeleteItem':
        return this.writer.deleteItem(input);
      case 'BatchWriteItem':
        return batchWriteItem(this.engine, this.writer, input);
      case 'TransactWriteItems':
        return this.transactions.write(input);
      case 'TransactGetItems':
        return this.transactions.get(input);
      case 'CreateTable':
        return this.createTable(input);
      case 'DescribeTable':
        return this.withStream(await this.engine.call('DescribeTable', input), 'Table');
      case 'UpdateTable':
        return this.updateTable(input);
      case 'DeleteTable':
        return this.deleteTable(input);
      case 'UpdateTimeToLive':
        return this.updateTimeToLive(input);
      case 'DescribeTimeToLive':
        return this.describeTimeToLive(input);
      default:
        return (DYNALITE_OPERATIONS as readonly string[]).includes(operation)
          ? this.engine.call(operation as DynaliteOperation, input)
          : undefined;
    }
  }

  private async createTable(input: JsonObject): Promise<DynamoAnswer> {
    const spec = streamSpecification(input);
    if (spec !== undefined && 'status' in spec) return spec;
    const { StreamSpecification: _spec, ...rest } = input;
    const answer = await this.engine.call('CreateTable', rest);
    if (answer.status !== 200) return answer;
    const table = input.TableName as string;
    this.writer.forget(table);
    this.streams.disable(table, this.clock.now());
    if (spec?.enabled === true && spec.viewType !== undefined) this.enableStream(table, spec.viewType);
    return this.withStream(answer, 'TableDescription');
  }

  private async updateTable(input: JsonObject): Promise<DynamoAnswer> {
    const spec = streamSpecification(input);
    if (spec !== undefined && 'status' in spec) return spec;
    const { StreamSpecification: _spec, ...rest } = input;
    const table = String(input.TableName);
    const others = Object.keys(rest).filter((key) => key !== 'TableName');
    if (spec === undefined || others.length > 0) {
      const answer = await this.engine.call('UpdateTable', rest);
      if (answer.status !== 200) return answer;
    } else if ((await this.engine.call('DescribeTable', { TableName: table })).status !== 200) {
      return notFound(table);
    }
    if (spec !== undefined) {
      const current = this.streams.enabled(table);
      if (spec.enabled && current !== undefined)
        return validationError(`Table already has an enabled stream: ${current.arn}`);
      if (!spec.enabled && current === undefined) return validationError('Table does not have an enabled stream');
      if (spec.enabled && spec.viewType !== undefined) this.enableStream(table, spec.viewType);
      else this.streams.disable(table, this.clock.now());
    }
    return this.withStream(await this.engine.call('DescribeTable', { TableName: table }), 'Table', 'TableDescription');
  }

  private async deleteTable(input: JsonObject): Promise<DynamoAnswer> {
    const answer = await this.engine.call('DeleteTable', input);
    if (answer.status !== 200) return answer;
    const table = input.TableName as string;
    const described = this.withStream(answer, 'TableDescription');
    this.streams.disable(table, this.clock.now());
    this.streams.setTtl(table, undefined);
    this.writer.forget(table);
    return described;
  }

  /** Enables a new stream for the table (a new label and ARN). */
  enableStream(table: string, viewType: StreamViewType): TableStream {
    return this.streams.enable(table, viewType, (label) => streamArnOf(this.region(), table, label), this.clock.now());
  }

  private async updateTimeToLive(input: JsonObject): Promise<DynamoAnswer> {
    const table = String(input.TableName);
    const spec = input.TimeToLiveSpecification;
    if (!isJsonObject(spec) || typeof spec.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string')
      return validationError('TimeToLiveSpecification needs Enabled and AttributeName');
    if ((await this.engine.call('DescribeTable', { TableName: table })).status !== 200) return notFound(table);
    const current = this.streams.ttlAttribute(table);
    if (spec.Enabled && current !== undefined) return validationError('TimeToLive is already enabled');
    if (!spec.Enabled && current === undefined) return validationError('TimeToLive is already disabled');
    this.streams.setTtl(table, spec.Enabled ? spec.AttributeName : undefined);
    return { status: 200, body: { TimeToLiveSpecification: spec } };
  }

  private async describeTimeToLive(input: JsonObject): Promise<DynamoAnswer> {
    const table = String(input.TableName);
    if ((await this.engine.call('DescribeTable', { TableName: table })).status !== 200) return notFound(table);
    const attribute = this.streams.ttlAttribute(table);
    return {
      status: 200,
      body: {
        TimeToLiveDescription:
          attribute === undefined
            ? { TimeToLiveStatus: 'DISABLED' }
            : { TimeToLiveStatus: 'ENABLED', AttributeName: attribute },
      },
    };
  }

  /** Adds the table's stream settings (`StreamSpecification`, `LatestStreamArn/Label`) to a description. */
  private withStream(answer: DynamoAnswer, field: string, renameTo = field): DynamoAnswer {
    const description = answer.body[field];
    if (answer.status !== 200 || !isJsonObject(description)) return answer;
    const table = String(description.TableName);
    const enabled = this.streams.enabled(table);
    const latest = this.streams.latest(table);
    const streamFields: JsonObject = {
      ...(enabled === undefined
        ? {}
        : { StreamSpecification: { StreamEnabled: true, StreamViewType: enabled.viewType } }),
      ...(latest === undefined ? {} : { LatestStreamArn: latest.arn, LatestStreamLabel: latest.label }),
    };
    const { [field]: _old, ...rest } = answer.body;
    return { status: 200, body: { ...rest, [renameTo]: { ...description, ...streamFields } } };
  }
}
