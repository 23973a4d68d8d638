import { createHash } from 'node:crypto';
import type { FsObjectStore } from '../lake/fsObjectStore.js';
import type { LoadedApp } from '../model/loadApp.js';
import { functionArn } from '../runtime/functionArn.js';
import type { FunctionRuntime } from '../runtime/functionRuntime.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { StreamStore } from '../tables/streamStore.js';
import type { CheckpointStore } from './checkpointStore.js';
import { type FailedBatch, failureObjectKey, failureRecord } from './failureRecord.js';
import { defaultRetryDelayMs, StreamLane } from './streamLane.js';
import { TableStreamSource } from './tableStreamSource.js';

export interface EventSourceMappingsOptions {
  readonly app: LoadedApp;
  readonly runtime: () => FunctionRuntime;
  readonly streams: StreamStore;
  readonly checkpoints: CheckpointStore;
  readonly objectStore: FsObjectStore | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retryDelayMs?: (attempt: number) => number;
}

/** A mapping's UUID, stable across restarts: derived from the function, its event's index and the table. */
export function mappingIdOf(functionName: string, index: number, table: string): string {
  const hex = createHash('sha256').update(`${functionName}/${index}/${table}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The app's event source mappings (`functions.<name>.events`): one `StreamLane` per mapping and lane, reading the
 * table's current stream. Started with the app, stopped before a reload or shutdown; checkpoints carry over.
 *
 * @example
 * const mappings = EventSourceMappings.start({ app, runtime: () => session.runtime, streams, checkpoints, ... });
 * await mappings.stop();
 */
export class EventSourceMappings {
  private readonly lanes: StreamLane[] = [];

  private constructor() {}

  static start(options: EventSourceMappingsOptions): EventSourceMappings {
    const mappings = new EventSourceMappings();
    const { app, streams, logger } = options;
    for (const [name, fn] of Object.entries(app.model.functions)) {
      fn.events.forEach((config, index) => {
        if (!config.enabled) return;
        const stream = streams.enabled(config.stream);
        if (stream === undefined) {
          logger.warn({ function: name, table: config.stream }, 'event source: the table has no enabled stream');
          return;
        }
        const source = new TableStreamSource(streams, stream);
        const mappingId = mappingIdOf(name, index, config.stream);
        const arn = functionArn(app.model.region, name);
        for (let lane = 0; lane < config.parallelizationFactor; lane += 1) {
          mappings.lanes.push(
            new StreamLane({
              mappingId,
              functionArn: arn,
              config,
              source,
              lane,
              checkpoints: options.checkpoints,
              invoke: (payload) => options.runtime().invoke({ functionName: name, payload }),
              onFailure: (batch) => EventSourceMappings.recordFailure(options, config.onFailure, batch),
              clock: options.clock,
              logger,
              retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs,
            }),
          );
        }
      });
    }
    for (const lane of mappings.lanes) lane.start();
    return mappings;
  }

  /** How many lanes poll (mappings times their parallelization factor). */
  get size(): number {
    return this.lanes.length;
  }

  async stop(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.stop()));
  }

  private static async recordFailure(
    options: EventSourceMappingsOptions,
    destination: { bucket: string; prefix?: string | undefined } | undefined,
    batch: FailedBatch,
  ): Promise<void> {
    if (destination === undefined || options.objectStore === undefined) return;
    const key = failureObjectKey(destination.prefix ?? '', batch.mappingId, batch.shardId, batch.nowMs);
    const body = Buffer.from(JSON.stringify(failureRecord(batch)));
    options.objectStore.createBucket(destination.bucket);
    await options.objectStore.putObject(destination.bucket, key, body, { contentType: 'application/json' });
  }
}
