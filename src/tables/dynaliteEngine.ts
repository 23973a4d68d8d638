import { createRequire } from 'node:module';
import type { JsonObject } from '../shared/jsonObject.js';

/** What a DynamoDB operation answers: AWS's status and JSON body (an error body has `__type` and `message`). */
export interface DynamoAnswer {
  readonly status: number;
  readonly body: JsonObject;
}

/** The part of dynalite's store (`dynalite/db`.create) used here. */
interface DynaliteStore {
  readonly tableDb: { awsAccountId: string; awsRegion: string };
  readonly lifecycleManager?: { gracefulClose(callback: (error?: Error | null) => void): void };
  readonly db: { close(callback: (error?: Error | null) => void): void; open?(): Promise<void> };
}

/** dynalite's `db` module: the store factory and DynamoDB's item size. */
interface DynaliteDb {
  create(options: object): DynaliteStore;
  itemSize(item: JsonObject): number;
}

/** An error dynalite answers with: AWS's status and body. Anything else it throws is a bug. */
interface DynaliteError {
  readonly statusCode: number;
  readonly body: JsonObject;
}

type ActionCallback = (error: DynaliteError | Error | null, result?: JsonObject) => void;
type Action = (store: DynaliteStore, data: JsonObject, callback: ActionCallback) => void;
interface ActionValidation {
  readonly types: unknown;
  readonly custom?: unknown;
}
interface Validations {
  checkTypes(data: JsonObject, types: unknown): JsonObject;
  checkValidations(data: JsonObject, types: unknown, custom: unknown, store: DynaliteStore): void;
}

/** The operations dynalite implements; the others (transactions, TTL, streams) are Tributary's. */
export const DYNALITE_OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
] as const;
export type DynaliteOperation = (typeof DYNALITE_OPERATIONS)[number];

const isDynaliteError = (error: unknown): error is DynaliteError =>
  typeof error === 'object' && error !== null && 'statusCode' in error && 'body' in error;

/**
 * DynamoDB's data plane and table API from dynalite (DynamoDB's expression languages, validation messages and
 * errors on LevelDB), called in-process: the same validation and action modules its HTTP server runs, without the
 * HTTP hop. dynalite is CommonJS; this is the typed surface over it.
 *
 * @example
 * const engine = DynaliteEngine.open({ path: '.tributary/dynamodb', region: 'us-east-1', accountId: '000000000000' });
 * await engine.call('GetItem', { TableName: 'orders', Key: { id: { S: 'o-1' } } });
 */
export class DynaliteEngine {
  private readonly store: DynaliteStore;
  private readonly validations: Validations;
  private readonly actions = new Map<DynaliteOperation, { action: Action; validation: ActionValidation }>();
  private readonly require: NodeJS.Require;
  private readonly db: DynaliteDb;

  private constructor(store: DynaliteStore, db: DynaliteDb, validations: Validations, require: NodeJS.Require) {
    this.store = store;
    this.db = db;
    this.validations = validations;
    this.require = require;
  }

  /** Opens (or creates) the LevelDB store at `path`; tables become ACTIVE at once (no CREATING delay). */
  static open(options: { path: string; region: string; accountId: string }): DynaliteEngine {
    const require = createRequire(import.meta.url);
    const db = require('dynalite/db') as DynaliteDb;
    const store = db.create({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    store.tableDb.awsAccountId = options.accountId;
    store.tableDb.awsRegion = options.region;
    return new DynaliteEngine(store, db, require('dynalite/validations') as Validations, require);
  }

  /**
   * Runs one operation with dynalite's validation; AWS's errors come back as answers, not exceptions. The input's
   * top level is copied (validation drops unknown fields from it); nested values are not modified.
   */
  call(operation: DynaliteOperation, input: JsonObject): Promise<DynamoAnswer> {
    const { action, validation } = this.actionFor(operation);
    return new Promise((resolve, reject) => {
      let data: JsonObject;
      try {
        data = this.validations.checkTypes({ ...input }, validation.types);
        this.validations.checkValidations(data, validation.types, validation.custom, this.store);
      } catch (error) {
        if (isDynaliteError(error)) resolve({ status: error.statusCode, body: error.body });
        else reject(error);
        return;
      }
      action(this.store, data, (error, result) => {
        if (error === null || error === undefined) resolve({ status: 200, body: result ?? {} });
        else if (isDynaliteError(error)) resolve({ status: error.statusCode, body: error.body });
        else reject(error);
      });
    });
  }

  /**
   * Runs only dynalite's validation of `input` (what the operation would refuse before touching data), for
   * operations Tributary splits into several (BatchWriteItem): undefined when valid.
   */
  validate(operation: DynaliteOperation, input: JsonObject): DynamoAnswer | undefined {
    const { validation } = this.actionFor(operation);
    try {
      const data = this.validations.checkTypes({ ...input }, validation.types);
      this.validations.checkValidations(data, validation.types, validation.custom, this.store);
      return undefined;
    } catch (error) {
      if (isDynaliteError(error)) return { status: error.statusCode, body: error.body };
      throw error;
    }
  }

  /** An item's size as DynamoDB counts it (names plus values), for a stream record's `SizeBytes`. */
  itemSize(item: JsonObject): number {
    return this.db.itemSize(item);
  }

  /** Resolves once LevelDB is open (it opens in the background; reads before that can miss tables). */
  async opened(): Promise<void> {
    await this.store.db.open?.();
  }

  /** Closes LevelDB once pending operations finished. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (this.store.lifecycleManager !== undefined) this.store.lifecycleManager.gracefulClose(done);
      else this.store.db.close(done);
    });
  }

  private actionFor(operation: DynaliteOperation): { action: Action; validation: ActionValidation } {
    const known = this.actions.get(operation);
    if (known !== undefined) return known;
    const name = operation.charAt(0).toLowerCase() + operation.slice(1);
    const loaded = {
      action: this.require(`dynalite/actions/${name}`) as Action,
      validation: this.require(`dynalite/validations/${name}`) as ActionValidation,
    };
    this.actions.set(operation, loaded);
    return loaded;
  }
}
