import type { Clock } from '../shared/clock.js';
import { isJsonObject, type JsonObject } from '../shared/jsonObject.js';
import type { DynaliteEngine, DynamoAnswer } from './dynaliteEngine.js';
import { dynamoError, validationError } from './dynamoErrors.js';
import type { Item } from './itemImages.js';
import type { KeyedLocks } from './keyedLocks.js';
import type { ItemChange } from './streamRecord.js';
import type { TableWriter } from './tableWriter.js';

/** DynamoDB's limits on one transaction. */
const MAX_TRANSACTION_ITEMS = 100;
/** A ClientRequestToken makes TransactWriteItems idempotent for 10 minutes. */
const TOKEN_LIFETIME_MS = 10 * 60 * 1000;

const OPERATIONS = ['ConditionCheck', 'Put', 'Update', 'Delete'] as const;
type Operation = (typeof OPERATIONS)[number];

interface Step {
  readonly operation: Operation;
  readonly input: JsonObject;
  readonly table: string;
  readonly keys: Item;
  readonly identity: string;
}

/** The `#name` and `:value` placeholders an expression uses. */
function placeholders(expressions: readonly unknown[]): Set<string> {
  const used = new Set<string>();
  for (const expression of expressions)
    if (typeof expression === 'string')
      for (const match of expression.matchAll(/[#:][A-Za-z0-9_]+/g)) used.add(match[0]);
  return used;
}

/** Keeps only the names and values the given expressions use (the engine refuses unused ones). */
function expressionMaps(input: JsonObject, expressions: readonly unknown[]): JsonObject {
  const used = placeholders(expressions);
  const out: JsonObject = {};
  for (const field of ['ExpressionAttributeNames', 'ExpressionAttributeValues'] as const) {
    const map = input[field];
    if (!isJsonObject(map)) continue;
    const kept = Object.fromEntries(Object.entries(map).filter(([name]) => used.has(name)));
    if (Object.keys(kept).length > 0) out[field] = kept;
  }
  return out;
}

/**
 * TransactWriteItems and TransactGetItems over the engine (dynalite has neither): every item's lock is taken, all
 * conditions are evaluated against the items as they are, and only if all hold are the writes applied; if a write
 * is then refused (a type error in an update) the ones applied are undone. Stream records are appended only once
 * the whole transaction applied. Reads by plain GetItem/Query are not isolated from a transaction in progress.
 *
 * @example
 * await transactions.write({ TransactItems: [{ Put: { TableName: 'orders', Item } }, { Update: { ... } }] });
 */
export class Transactions {
  private readonly engine: DynaliteEngine;
  private readonly writer: TableWriter;
  private readonly locks: KeyedLocks;
  private readonly clock: Clock;
  private readonly tokens = new Map<string, { request: string; answer: DynamoAnswer; expiresMs: number }>();

  constructor(options: { engine: DynaliteEngine; writer: TableWriter; locks: KeyedLocks; clock: Clock }) {
    this.engine = options.engine;
    this.writer = options.writer;
    this.locks = options.locks;
    this.clock = options.clock;
  }

  async write(input: JsonObject): Promise<DynamoAnswer> {
    const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    const request = JSON.stringify(input.TransactItems);
    const now = this.clock.now();
    for (const [key, entry] of this.tokens) if (entry.expiresMs <= now) this.tokens.delete(key);
    if (token !== undefined) {
      const earlier = this.tokens.get(token);
      if (earlier !== undefined)
        return earlier.request === request
          ? earlier.answer
          : dynamoError(
              'IdempotentParameterMismatchException',
              'The request uses the same client token as a previous, but non-identical request.',
            );
    }
    const answer = await this.writeOnce(input);
    if (token !== undefined && answer.status === 200)
      this.tokens.set(token, { request, answer, expiresMs: now + TOKEN_LIFETIME_MS });
    return answer;
  }

  async get(input: JsonObject): Promise<DynamoAnswer> {
    const items = input.TransactItems;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_TRANSACTION_ITEMS)
      return validationError(`Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS} and at least 1`);
    const gets: { input: JsonObject; identity: string; keys: Item }[] = [];
    for (const item of items) {
      const get = isJsonObject(item) ? item.Get : undefined;
      if (!isJsonObject(get)) return validationError('Each TransactItems entry must hold exactly one Get');
      const target = await this.writer.identityOf(get.TableName, get.Key);
      if (target === undefined) return this.missingTarget(get);
      gets.push({ input: get, ...target });
    }
    return this.locks.run(
      gets.map((get) => get.identity),
      async () => {
        const responses: JsonObject[] = [];
        for (const get of gets) {
          const answer = await this.engine.call('GetItem', { ...get.input, ConsistentRead: true });
          if (answer.status !== 200) return answer;
          responses.push(isJsonObject(answer.body.Item) ? { Item: answer.body.Item } : {});
        }
        return { status: 200, body: { Responses: responses } };
      },
    );
  }

  private async writeOnce(input: JsonObject): Promise<DynamoAnswer> {
    const items = input.TransactItems;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_TRANSACTION_ITEMS)
      return validationError(
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS}`,
      );
    const steps: Step[] = [];
    for (const item of items) {
      const present = isJsonObject(item) ? OPERATIONS.filter((operation) => isJsonObject(item[operation])) : [];
      const operation = present[0];
      if (operation === undefined || present.length !== 1 || !isJsonObject(item))
        return validationError('Each TransactItems entry must hold exactly one of ConditionCheck, Put, Update, Delete');
      const stepInput = item[operation] as JsonObject;
      const target = await this.writer.identityOf(
        stepInput.TableName,
        operation === 'Put' ? stepInput.Item : stepInput.Key,
      );
      if (target === undefined) return this.missingTarget(stepInput);
      steps.push({ operation, input: stepInput, table: stepInput.TableName as string, ...target });
    }
    if (new Set(steps.map((step) => step.identity)).size !== steps.length)
      return validationError('Transaction request cannot include multiple operations on one item');
    return this.locks.run(
      steps.map((step) => step.identity),
      () => this.applyLocked(steps),
    );
  }

  /** The engine's own error for a step whose table or key is wrong. */
  private async missingTarget(step: JsonObject): Promise<DynamoAnswer> {
    if (typeof step.TableName !== 'string') return validationError('TableName is required');
    const described = await this.engine.call('DescribeTable', { TableName: step.TableName });
    if (described.status !== 200) return dynamoError('ResourceNotFoundException', 'Requested resource not found');
    return validationError('The provided key element does not match the schema');
  }

  private async applyLocked(steps: readonly Step[]): Promise<DynamoAnswer> {
    const before: (Item | undefined)[] = [];
    for (const step of steps) before.push(await this.writer.read(step.table, step.keys));
    const reasons: JsonObject[] = [];
    let cancelled = false;
    for (const [index, step] of steps.entries()) {
      const result = await this.conditionHolds(step, before[index]);
      if (typeof result !== 'boolean') return result;
      if (result) reasons.push({ Code: 'None' });
      else {
        cancelled = true;
        const old = before[index];
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(step.input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old !== undefined ? { Item: old } : {}),
        });
      }
    }
    if (cancelled)
      return dynamoError(
        'TransactionCanceledException',
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        { CancellationReasons: reasons },
      );
    const changes: { table: string; change: ItemChange; intent: number | undefined }[] = [];
    const intents = steps.map((step, index) =>
      step.operation === 'ConditionCheck' ? undefined : this.writer.intendWith(step.table, step.keys, before[index]),
    );
    for (const [index, step] of steps.entries()) {
      if (step.operation === 'ConditionCheck') continue;
      const answer = await this.applyStep(step);
      if (answer.status !== 200) {
        await this.undo(steps.slice(0, index), before);
        for (const intent of intents) this.writer.settle(intent);
        return dynamoError(
          'TransactionCanceledException',
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]',
          {
            CancellationReasons: steps.map((_, i) =>
              i === index ? { Code: 'ValidationError', Message: String(answer.body.message ?? '') } : { Code: 'None' },
            ),
          },
        );
      }
      const newImage = step.operation === 'Delete' ? undefined : await this.writer.read(step.table, step.keys);
      changes.push({
        table: step.table,
        change: { keys: step.keys, oldImage: before[index], newImage },
        intent: intents[index],
      });
    }
    for (const { table, change, intent } of changes) this.writer.capture(table, change, intent);
    return { status: 200, body: {} };
  }

  /**
   * Evaluates a step's condition against the item as it is, without changing it: by rewriting the item as it is
   * (or deleting the absent item) under the condition. True, false, or the engine's error for a bad expression.
   */
  private async conditionHolds(step: Step, current: Item | undefined): Promise<boolean | DynamoAnswer> {
    const condition = step.input.ConditionExpression;
    if (condition === undefined) return true;
    const check = { TableName: step.table, ConditionExpression: condition, ...expressionMaps(step.input, [condition]) };
    const answer =
      current === undefined
        ? await this.engine.call('DeleteItem', { ...check, Key: step.keys })
        : await this.engine.call('PutItem', { ...check, Item: current });
    if (answer.status === 200) return true;
    if (String(answer.body.__type).endsWith('#ConditionalCheckFailedException')) return false;
    return answer;
  }

  private applyStep(step: Step): Promise<DynamoAnswer> {
    const { ConditionExpression: _c, ReturnValuesOnConditionCheckFailure: _r, ...rest } = step.input;
    switch (step.operation) {
      case 'Put':
        return this.engine.call('PutItem', {
          TableName: step.table,
          Item: rest.Item,
          ...expressionMaps(rest, []),
        });
      case 'Update':
        return this.engine.call('UpdateItem', {
          TableName: step.table,
          Key: step.keys,
          UpdateExpression: rest.UpdateExpression,
          ...expressionMaps(rest, [rest.UpdateExpression]),
        });
      default:
        return this.engine.call('DeleteItem', { TableName: step.table, Key: step.keys });
    }
  }

  /** Puts back the items a failed transaction had already changed. */
  private async undo(applied: readonly Step[], before: readonly (Item | undefined)[]): Promise<void> {
    for (const [index, step] of applied.entries()) {
      if (step.operation === 'ConditionCheck') continue;
      const old = before[index];
      if (old === undefined) await this.engine.call('DeleteItem', { TableName: step.table, Key: step.keys });
      else await this.engine.call('PutItem', { TableName: step.table, Item: old });
    }
  }
}
