import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyAttribute, TableConfig } from '../model/tableSchema.js';
import { LOCAL_ACCOUNT_ID } from '../runtime/functionArn.js';
import type { Clock } from '../shared/clock.js';
import { isJsonObject, type JsonObject } from '../shared/jsonObject.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { TributaryError } from '../shared/tributaryError.js';
import { DynaliteEngine, type DynamoAnswer } from './dynaliteEngine.js';
import { KeyedLocks } from './keyedLocks.js';
import { StreamStore } from './streamStore.js';
import { StreamsApi } from './streamsApi.js';
import { TableOperations } from './tableOperations.js';
import { TableWriter } from './tableWriter.js';
import { Transactions } from './transactions.js';
import { TtlSweeper } from './ttlSweeper.js';

export interface LocalTablesOptions {
  /** Where the tables (LevelDB) and their streams (SQLite) live: `<dataDir>/dynamodb`. */
  readonly dir: string;
  readonly region: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** How often expired items are deleted and old stream records trimmed (default 60 s of the clock). */
  readonly ttlSweepMs?: number;
}

const DEFAULT_TTL_SWEEP_MS = 60_000;

/** CreateTable's input for a declared table. */
function createTableInput(name: string, config: TableConfig): JsonObject {
  const attributes = new Map<string, KeyAttribute>();
  const keySchema = (partition: KeyAttribute, sort: KeyAttribute | undefined): JsonObject[] => {
    attributes.set(partition.name, partition);
    if (sort !== undefined) attributes.set(sort.name, sort);
    return [
      { AttributeName: partition.name, KeyType: 'HASH' },
      ...(sort === undefined ? [] : [{ AttributeName: sort.name, KeyType: 'RANGE' }]),
    ];
  };
  const tableKeys = keySchema(config.partitionKey, config.sortKey);
  const indexes = Object.entries(config.globalIndexes).map(([indexName, index]) => ({
    IndexName: indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection:
      typeof index.projection === 'string'
        ? { ProjectionType: index.projection }
        : { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projection.include },
  }));
  return {
    TableName: name,
    KeySchema: tableKeys,
    AttributeDefinitions: [...attributes.values()].map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    BillingMode: 'PAY_PER_REQUEST',
    ...(indexes.length === 0 ? {} : { GlobalSecondaryIndexes: indexes }),
  };
}

/**
 * The app's DynamoDB: tables on dynalite (persistent under `<dataDir>/dynamodb`), writes captured into streams,
 * transactions, TTL, and the Streams API. `operations` and `streamsApi` answer the wire protocol's operations.
 *
 * @example
 * const tables = await LocalTables.open({ dir: '.tributary/dynamodb', region: 'us-east-1', clock });
 * await tables.ensureDeclared({ orders: { partitionKey: { name: 'id', type: 'S' }, stream: 'NEW_IMAGE' } });
 */
export class LocalTables {
  readonly streams: StreamStore;
  readonly writer: TableWriter;
  readonly locks = new KeyedLocks();
  private readonly operations: TableOperations;
  private readonly streamsApi: StreamsApi;
  private readonly engine: DynaliteEngine;
  private readonly sweeper: TtlSweeper;
  private readonly clock: Clock;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Writes a crash left unrecorded, reconciled before any new operation runs. */
  private recovered: Promise<number> = Promise.resolve(0);

  private constructor(options: LocalTablesOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.clock = options.clock;
    this.engine = DynaliteEngine.open({
      path: join(options.dir, 'tables'),
      region: options.region,
      accountId: LOCAL_ACCOUNT_ID,
    });
    this.streams = StreamStore.open(join(options.dir, 'streams.db'));
    const region = (): string => options.region;
    this.writer = new TableWriter({
      engine: this.engine,
      streams: this.streams,
      locks: this.locks,
      clock: options.clock,
      region,
    });
    const transactions = new Transactions({
      engine: this.engine,
      writer: this.writer,
      locks: this.locks,
      clock: options.clock,
    });
    this.operations = new TableOperations({
      engine: this.engine,
      writer: this.writer,
      transactions,
      streams: this.streams,
      clock: options.clock,
      region,
    });
    this.streamsApi = new StreamsApi({
      streams: this.streams,
      clock: options.clock,
      keySchema: async (table) => {
        const described = await this.engine.call('DescribeTable', { TableName: table });
        const schema = isJsonObject(described.body.Table) ? described.body.Table.KeySchema : undefined;
        return Array.isArray(schema) ? (schema as JsonObject[]) : [];
      },
    });
    this.sweeper = new TtlSweeper({
      engine: this.engine,
      writer: this.writer,
      streams: this.streams,
      locks: this.locks,
      clock: options.clock,
      intervalMs: options.ttlSweepMs ?? DEFAULT_TTL_SWEEP_MS,
      logger: options.logger ?? silentLogger,
    });
  }

  static open(options: LocalTablesOptions): LocalTables {
    const tables = new LocalTables(options);
    tables.recovered = tables.engine
      .opened()
      .then(() => tables.writer.reconcile())
      .catch((error: unknown) => {
        (options.logger ?? silentLogger).error({ error: String(error) }, 'stream reconciliation after a crash failed');
        return 0;
      });
    tables.sweeper.start();
    return tables;
  }

  /**
   * Creates the declared tables that do not exist yet, and brings their stream and TTL settings in line with the
   * config (an existing table keeps its data; its key schema is not changed).
   */
  async ensureDeclared(declared: Readonly<Record<string, TableConfig>>): Promise<void> {
    await this.recovered;
    for (const [name, config] of Object.entries(declared)) {
      const described = await this.engine.call('DescribeTable', { TableName: name });
      if (described.status !== 200) {
        const created = await this.engine.call('CreateTable', createTableInput(name, config));
        if (created.status !== 200)
          throw new TributaryError('ERR_CONFIG_INVALID', `tables.${name}: ${String(created.body.message)}`);
        await this.untilActive(name);
      }
      const stream = this.streams.enabled(name);
      if (stream !== undefined && stream.viewType !== config.stream) this.streams.disable(name, this.clock.now());
      if (config.stream !== undefined && this.streams.enabled(name) === undefined)
        this.operations.enableStream(name, config.stream);
      if (this.streams.ttlAttribute(name) !== config.ttl) this.streams.setTtl(name, config.ttl);
    }
  }

  /** A DynamoDB operation (`DynamoDB_20120810.<operation>`), or undefined when it is not emulated. */
  handle(operation: string, input: JsonObject): Promise<DynamoAnswer | undefined> {
    return this.track(this.recovered.then(() => this.operations.handle(operation, input)));
  }

  /** How many changes a previous crash left unrecorded and this start recorded. */
  reconciled(): Promise<number> {
    return this.recovered;
  }

  /** A DynamoDB Streams operation (`DynamoDBStreams_20120810.<operation>`), or undefined when not emulated. */
  handleStreams(operation: string, input: JsonObject): Promise<DynamoAnswer | undefined> {
    return this.track(this.streamsApi.handle(operation, input));
  }

  /** Waits for a table dynalite just created to leave CREATING (at once here: it takes no real time). */
  private async untilActive(name: string): Promise<void> {
    for (let tries = 0; tries < 100; tries += 1) {
      const described = await this.engine.call('DescribeTable', { TableName: name });
      const table = described.body.Table;
      if (isJsonObject(table) && table.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** One TTL sweep (and stream trim) now; returns how many items expired. */
  sweepTtl(): Promise<number> {
    return this.sweeper.sweep();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  /** Stops the sweeper and closes both stores once in-flight writes finished. */
  async close(): Promise<void> {
    await this.recovered;
    await this.sweeper.stop();
    await Promise.allSettled([...this.inFlight]);
    this.streams.close();
    await this.engine.close();
  }
}
