import type { Clock, Timer } from '../shared/clock.js';
import { isJsonObject } from '../shared/jsonObject.js';
import type { Logger } from '../shared/logger.js';
import type { DynaliteEngine } from './dynaliteEngine.js';
import { type Item, itemIdentity, keyOf } from './itemImages.js';
import type { KeyedLocks } from './keyedLocks.js';
import type { StreamStore } from './streamStore.js';
import type { TableWriter } from './tableWriter.js';

/**
 * Deletes expired items of tables with TTL enabled, as DynamoDB's background process does: an item whose TTL
 * attribute (a Number, epoch seconds) is before now is deleted under its lock, only if it is still expired, and
 * its REMOVE record names the service as the deleter. DynamoDB takes up to a few days; here a sweep runs every
 * `intervalMs` of the injected clock (UNCONFIRMED timing, configurable), and the 24-hour stream trim runs with it.
 *
 * @example
 * const sweeper = new TtlSweeper({ engine, writer, streams, locks, clock, intervalMs: 60_000 });
 * sweeper.start();
 */
export class TtlSweeper {
  private readonly options: {
    engine: DynaliteEngine;
    writer: TableWriter;
    streams: StreamStore;
    locks: KeyedLocks;
    clock: Clock;
    intervalMs: number;
    logger: Logger;
  };
  private timer: Timer | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(options: TtlSweeper['options']) {
    this.options = options;
  }

  start(): void {
    this.schedule();
  }

  /** One sweep now: returns how many items expired. */
  sweep(): Promise<number> {
    this.running ??= this.sweepAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimer(this.options.intervalMs, () => {
      this.sweep()
        .catch((error: unknown) => this.options.logger.error({ error: String(error) }, 'TTL sweep failed'))
        .finally(() => this.schedule());
    });
  }

  private async sweepAll(): Promise<number> {
    const { streams, clock } = this.options;
    streams.trim(clock.now());
    let expired = 0;
    for (const { table, attribute } of streams.ttlTables()) expired += await this.sweepTable(table, attribute);
    return expired;
  }

  private async sweepTable(table: string, attribute: string): Promise<number> {
    const { engine, writer, locks, clock } = this.options;
    const names = await writer.keyNames(table);
    if (names === undefined) return 0;
    let expired = 0;
    let start: Item | undefined;
    do {
      const nowSeconds = String(Math.floor(clock.now() / 1000));
      const page = await engine.call('Scan', {
        TableName: table,
        FilterExpression: '#ttl < :now',
        ExpressionAttributeNames: { '#ttl': attribute },
        ExpressionAttributeValues: { ':now': { N: nowSeconds } },
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      if (page.status !== 200) return expired;
      for (const item of (page.body.Items ?? []) as Item[]) {
        const keys = keyOf(item, names);
        if (keys === undefined) continue;
        const answer = await locks.run([itemIdentity(table, keys, names)], () =>
          writer.deleteLocked(
            {
              TableName: table,
              Key: keys,
              ConditionExpression: '#ttl < :now',
              ExpressionAttributeNames: { '#ttl': attribute },
              ExpressionAttributeValues: { ':now': { N: nowSeconds } },
            },
            keys,
            true,
          ),
        );
        if (answer.status === 200) expired += 1;
      }
      start = isJsonObject(page.body.LastEvaluatedKey) ? page.body.LastEvaluatedKey : undefined;
    } while (start !== undefined);
    return expired;
  }
}
