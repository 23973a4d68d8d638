import { LOCAL_ACCOUNT_ID } from '../runtime/functionArn.js';
import type { Clock } from '../shared/clock.js';
import { isJsonObject, type JsonObject } from '../shared/jsonObject.js';
import type { DynaliteEngine, DynamoAnswer } from './dynaliteEngine.js';
import { type Item, itemIdentity, type KeyNames, keyOf, sameItem } from './itemImages.js';
import type { KeyedLocks } from './keyedLocks.js';
import { type ItemChange, streamRecord } from './streamRecord.js';
import type { StreamStore } from './streamStore.js';

const PUT_RETURN_VALUES = new Set([undefined, 'NONE', 'ALL_OLD']);
const UPDATE_RETURN_VALUES = new Set([undefined, 'NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']);

export interface TableWriterOptions {
  readonly engine: DynaliteEngine;
  readonly streams: StreamStore;
  readonly locks: KeyedLocks;
  readonly clock: Clock;
  readonly region: () => string;
}

/** A table's stream ARN for a label. */
export const streamArnOf = (region: string, table: string, label: string): string =>
  `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT_ID}:table/${table}/stream/${label}`;

/**
 * Every write to an item goes through here: the item's lock is held while the engine applies the write and the
 * change (old and new image) is appended to the table's stream, so each change that modified an item is recorded
 * exactly once and in the order it was applied, however many writers race on the item. A write that changed
 * nothing records nothing.
 *
 * @example
 * const answer = await writer.putItem({ TableName: 'orders', Item: { id: { S: 'o-1' } } });
 */
export class TableWriter {
  private readonly engine: DynaliteEngine;
  private readonly streams: StreamStore;
  private readonly locks: KeyedLocks;
  private readonly clock: Clock;
  private readonly region: () => string;
  private readonly keyNamesByTable = new Map<string, KeyNames>();

  constructor(options: TableWriterOptions) {
    this.engine = options.engine;
    this.streams = options.streams;
    this.locks = options.locks;
    this.clock = options.clock;
    this.region = options.region;
  }

  /** The table's key attribute names (partition, then sort), or undefined when it does not exist. */
  async keyNames(table: string): Promise<KeyNames | undefined> {
    const known = this.keyNamesByTable.get(table);
    if (known !== undefined) return known;
    const answer = await this.engine.call('DescribeTable', { TableName: table });
    const description = answer.body.Table;
    if (answer.status !== 200 || !isJsonObject(description) || !Array.isArray(description.KeySchema)) return undefined;
    const schema = description.KeySchema as { AttributeName: string; KeyType: string }[];
    const names = ['HASH', 'RANGE'].flatMap((type) =>
      schema.filter((key) => key.KeyType === type).map((key) => key.AttributeName),
    );
    this.keyNamesByTable.set(table, names);
    return names;
  }

  /** Forgets a table's cached key schema (after it is deleted or created again). */
  forget(table: string): void {
    this.keyNamesByTable.delete(table);
  }

  /** The lock identity of the item that `item` (or a key) names, or undefined when the engine should answer. */
  async identityOf(table: unknown, item: unknown): Promise<{ identity: string; keys: Item } | undefined> {
    if (typeof table !== 'string' || !isJsonObject(item)) return undefined;
    const names = await this.keyNames(table);
    if (names === undefined) return undefined;
    const keys = keyOf(item, names);
    return keys === undefined ? undefined : { identity: itemIdentity(table, keys, names), keys };
  }

  async putItem(input: JsonObject): Promise<DynamoAnswer> {
    const target = await this.identityOf(input.TableName, input.Item);
    if (target === undefined || !PUT_RETURN_VALUES.has(input.ReturnValues as string | undefined))
      return this.engine.call('PutItem', input);
    return this.locks.run([target.identity], () => this.putLocked(input, target.keys));
  }

  async updateItem(input: JsonObject): Promise<DynamoAnswer> {
    const target = await this.identityOf(input.TableName, input.Key);
    if (target === undefined || !UPDATE_RETURN_VALUES.has(input.ReturnValues as string | undefined))
      return this.engine.call('UpdateItem', input);
    return this.locks.run([target.identity], () => this.updateLocked(input, target.keys));
  }

  async deleteItem(input: JsonObject): Promise<DynamoAnswer> {
    const target = await this.identityOf(input.TableName, input.Key);
    if (target === undefined || !PUT_RETURN_VALUES.has(input.ReturnValues as string | undefined))
      return this.engine.call('DeleteItem', input);
    return this.locks.run([target.identity], () => this.deleteLocked(input, target.keys));
  }

  /** PutItem with the lock held: the old image comes back from the write itself. */
  async putLocked(input: JsonObject, keys: Item): Promise<DynamoAnswer> {
    const table = input.TableName as string;
    const intent = await this.intend(table, keys);
    const answer = await this.engine.call('PutItem', { ...input, ReturnValues: 'ALL_OLD' });
    if (answer.status !== 200) {
      this.settle(intent);
      return this.withConditionItem(answer, input, table, keys);
    }
    const oldImage = answer.body.Attributes as Item | undefined;
    this.capture(table, { keys, oldImage, newImage: input.Item as Item }, intent);
    return input.ReturnValues === 'ALL_OLD' ? answer : withoutAttributes(answer);
  }

  /** UpdateItem with the lock held: the old image is read first, the new one comes back from the write. */
  async updateLocked(input: JsonObject, keys: Item): Promise<DynamoAnswer> {
    const table = input.TableName as string;
    const oldImage = await this.read(table, keys);
    const intent = this.intendWith(table, keys, oldImage);
    const wanted = input.ReturnValues as string | undefined;
    const exact = wanted === 'UPDATED_OLD' || wanted === 'UPDATED_NEW';
    const answer = await this.engine.call('UpdateItem', exact ? input : { ...input, ReturnValues: 'ALL_NEW' });
    if (answer.status !== 200) {
      this.settle(intent);
      return this.withConditionItem(answer, input, table, keys, oldImage);
    }
    const newImage = exact ? await this.read(table, keys) : (answer.body.Attributes as Item | undefined);
    this.capture(table, { keys, oldImage, newImage }, intent);
    if (exact || wanted === 'ALL_NEW') return answer;
    if (wanted === 'ALL_OLD')
      return { status: 200, body: { ...answer.body, ...(oldImage === undefined ? {} : { Attributes: oldImage }) } };
    return withoutAttributes(answer);
  }

  /** DeleteItem with the lock held: the old image comes back from the write. */
  async deleteLocked(input: JsonObject, keys: Item, byTtl = false): Promise<DynamoAnswer> {
    const table = input.TableName as string;
    const intent = await this.intend(table, keys);
    const answer = await this.engine.call('DeleteItem', { ...input, ReturnValues: 'ALL_OLD' });
    if (answer.status !== 200) {
      this.settle(intent);
      return this.withConditionItem(answer, input, table, keys);
    }
    const oldImage = answer.body.Attributes as Item | undefined;
    this.capture(table, { keys, oldImage, newImage: undefined, byTtl }, intent);
    return input.ReturnValues === 'ALL_OLD' ? answer : withoutAttributes(answer);
  }

  /** Reads an item consistently (the caller holds its lock). */
  async read(table: string, keys: Item): Promise<Item | undefined> {
    const answer = await this.engine.call('GetItem', { TableName: table, Key: keys, ConsistentRead: true });
    return answer.status === 200 && isJsonObject(answer.body.Item) ? answer.body.Item : undefined;
  }

  /**
   * Before a write to a streamed table (its lock held): notes the item and how it is now, so a crash between the
   * write and its record is reconciled on the next start. Undefined when the table has no stream.
   */
  async intend(table: string, keys: Item): Promise<number | undefined> {
    if (this.streams.enabled(table) === undefined) return undefined;
    return this.streams.intend(table, keys, await this.read(table, keys));
  }

  /** `intend` when the caller has just read the item (under its lock): no second read. */
  intendWith(table: string, keys: Item, oldImage: Item | undefined): number | undefined {
    return this.streams.enabled(table) === undefined ? undefined : this.streams.intend(table, keys, oldImage);
  }

  /** Drops an intent whose write was refused (nothing changed). */
  settle(intent: number | undefined): void {
    if (intent !== undefined) this.streams.settle([intent]);
  }

  /**
   * Appends a change to the table's stream when it has one and the write changed the item, settling the write's
   * intent in the same commit.
   */
  capture(table: string, change: ItemChange, intent?: number): void {
    const intents = intent === undefined ? [] : [intent];
    const stream = this.streams.enabled(table);
    if (stream === undefined || sameItem(change.oldImage, change.newImage)) {
      if (intents.length > 0) this.streams.settle(intents);
      return;
    }
    const nowMs = this.clock.now();
    const record = streamRecord(change, {
      viewType: stream.viewType,
      region: this.region(),
      nowMs,
      sizeOf: (item) => this.engine.itemSize(item),
    });
    this.streams.settle(intents, { streamArn: stream.arn, record, createdMs: nowMs });
  }

  /**
   * After a crash: each write that began but was not recorded is compared with the item as it is now, and its
   * change (if any) recorded. Run once at start, before new writes reach those items.
   */
  async reconcile(): Promise<number> {
    let recorded = 0;
    for (const intent of this.streams.intents()) {
      const names = await this.keyNames(intent.table);
      if (names === undefined) {
        this.streams.settle([intent.id]);
        continue;
      }
      await this.locks.run([itemIdentity(intent.table, intent.keys, names)], async () => {
        const now = await this.read(intent.table, intent.keys);
        if (!sameItem(intent.oldImage, now)) recorded += 1;
        this.capture(intent.table, { keys: intent.keys, oldImage: intent.oldImage, newImage: now }, intent.id);
      });
    }
    return recorded;
  }

  /**
   * A failed condition answers with the item as it was when `ReturnValuesOnConditionCheckFailure` is ALL_OLD
   * (what Powertools' idempotency reads to find the record that already exists).
   */
  private async withConditionItem(
    answer: DynamoAnswer,
    input: JsonObject,
    table: string,
    keys: Item,
    known?: Item,
  ): Promise<DynamoAnswer> {
    const type = String(answer.body.__type ?? '');
    if (!type.endsWith('#ConditionalCheckFailedException') || input.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD')
      return answer;
    const item = known ?? (await this.read(table, keys));
    return item === undefined ? answer : { status: answer.status, body: { ...answer.body, Item: item } };
  }
}

function withoutAttributes(answer: DynamoAnswer): DynamoAnswer {
  const { Attributes: _dropped, ...body } = answer.body;
  return { status: answer.status, body };
}
