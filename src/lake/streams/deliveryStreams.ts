import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Lake } from '../../model/lakeSchema.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { TributaryError } from '../../shared/tributaryError.js';
import type { ObjectSink } from '../objectSink.js';
import { scratchDir } from '../scratchDir.js';
import { DeliveryStream } from './deliveryStream.js';
import { ParquetConverter } from './parquetConverter.js';
import { StreamJournal } from './streamJournal.js';

/**
 * The app's delivery streams (`lake.streams`), each with its journal under `<data>/firehose/<name>/`, sharing one
 * embedded DuckDB for Parquet conversion. Declared buckets are created at start.
 *
 * @example
 * const streams = await DeliveryStreams.start({ lake, dataDir, sink, clock, logger, region: 'us-east-1' });
 * await streams.get('hr-events').put([Buffer.from('{"name":"Ada"}')]);
 */
export class DeliveryStreams {
  private readonly streams: ReadonlyMap<string, DeliveryStream>;
  private readonly duck: { instance: DuckDBInstance; connection: DuckDBConnection } | undefined;
  private readonly sink: ObjectSink;
  private readonly converters: readonly ParquetConverter[];

  private constructor(
    streams: ReadonlyMap<string, DeliveryStream>,
    duck: { instance: DuckDBInstance; connection: DuckDBConnection } | undefined,
    sink: ObjectSink,
    converters: readonly ParquetConverter[],
  ) {
    this.streams = streams;
    this.duck = duck;
    this.sink = sink;
    this.converters = converters;
  }

  static async start(options: {
    lake: Lake;
    dataDir: string;
    sink: ObjectSink;
    clock: Clock;
    logger: Logger;
    region: string;
  }): Promise<DeliveryStreams> {
    const { lake } = options;
    for (const bucket of lake.buckets) await options.sink.ensureBucket(bucket);
    const needsDuck = Object.values(lake.streams).some((s) => s.format === 'parquet');
    let duck: { instance: DuckDBInstance; connection: DuckDBConnection } | undefined;
    if (needsDuck) {
      const instance = await DuckDBInstance.create(':memory:');
      duck = { instance, connection: await instance.connect() };
    }
    const streams = new Map<string, DeliveryStream>();
    const converters: ParquetConverter[] = [];
    for (const [name, config] of Object.entries(lake.streams)) {
      const dir = join(options.dataDir, 'firehose', name);
      const table = config.table === undefined ? undefined : lake.tables[config.table];
      const converter = (): ParquetConverter | undefined => {
        if (duck === undefined) return undefined;
        const made = new ParquetConverter(duck.connection, scratchDir(join(dir, 'tmp'), `${name}-${randomUUID()}`));
        converters.push(made);
        return made;
      };
      const stream = new DeliveryStream({
        name,
        config,
        table:
          config.table === undefined || table === undefined ? undefined : { name: config.table, definition: table },
        region: options.region,
        journal: new StreamJournal(join(dir, 'journal')),
        sink: options.sink,
        // Only Parquet streams convert (and need DuckDB).
        converter: converter(),
        clock: options.clock,
        logger: options.logger,
      });
      const replayed = await stream.start();
      if (replayed > 0) options.logger.info({ stream: name, records: replayed }, 'replaying undelivered records');
      streams.set(name, stream);
    }
    return new DeliveryStreams(streams, duck, options.sink, converters);
  }

  /** The stream, or Firehose's ResourceNotFoundException. */
  get(name: string): DeliveryStream {
    const stream = this.streams.get(name);
    if (stream === undefined)
      throw new TributaryError('ERR_STREAM_NOT_FOUND', `Firehose ${name} under account 000000000000 not found.`, {
        aws: { status: 400, type: 'ResourceNotFoundException' },
      });
    return stream;
  }

  names(): string[] {
    return [...this.streams.keys()].sort();
  }

  /** Delivers what every stream buffers now. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => s.flushAll()));
  }

  /** Flushes and closes every stream, then DuckDB. */
  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => s.close()));
    this.duck?.connection.closeSync();
    this.duck?.instance.closeSync();
    this.sink.close?.();
    await Promise.all(this.converters.map((c) => c.dispose()));
  }
}
