import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** One accepted asynchronous event, as it waits on the queue. */
export interface AsyncEvent {
  /** The request id; kept by every attempt, as on AWS. */
  readonly id: string;
  readonly functionName: string;
  readonly payload: string;
  readonly enqueuedAt: number;
  /** Attempts that ended in a function error. */
  readonly failedAttempts: number;
  /** Every time the event reached the function (approximateInvokeCount). */
  readonly invokeCount: number;
  /** Earliest time of the next attempt (platform clock). */
  readonly nextAt: number;
  /** The last throttle backoff, 0 when none. */
  readonly backoffMs: number;
  readonly parentRequestId: string | null;
}

interface Row {
  id: string;
  function_name: string;
  payload: string;
  enqueued_at: number;
  failed_attempts: number;
  invoke_count: number;
  next_at: number;
  backoff_ms: number;
  parent_request_id: string | null;
}

const fromRow = (row: Row): AsyncEvent => ({
  id: row.id,
  functionName: row.function_name,
  payload: row.payload,
  enqueuedAt: row.enqueued_at,
  failedAttempts: row.failed_attempts,
  invokeCount: row.invoke_count,
  nextAt: row.next_at,
  backoffMs: row.backoff_ms,
  parentRequestId: row.parent_request_id,
});

/**
 * The durable queue of asynchronous events (SQLite, WAL). `add` returns only once the events are on disk
 * (`synchronous = FULL`: fsync), which is what allows Invoke to answer 202. Updates after that (retry times,
 * deletion) survive a process crash without an fsync; losing one to power loss only causes a duplicate
 * delivery, which Lambda's at-least-once contract allows.
 *
 * @example
 * const store = new AsyncEventStore('.tributary/async/events.db');
 * store.add([{ id, functionName: 'orders', payload: '{}', enqueuedAt: now, ... }]);
 * store.due(now, 10);
 */
export class AsyncEventStore {
  private readonly db: Database.Database;
  private readonly statements: {
    insert: Database.Statement<Row>;
    due: Database.Statement<[number, number], Row>;
    next: Database.Statement<[], { next_at: number | null }>;
    reschedule: Database.Statement<[number, number, number, number, string]>;
    remove: Database.Statement<[string]>;
    count: Database.Statement<[], { n: number }>;
  };

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS events (
      id TEXT PRIMARY KEY, function_name TEXT NOT NULL, payload TEXT NOT NULL, enqueued_at INTEGER NOT NULL,
      failed_attempts INTEGER NOT NULL, invoke_count INTEGER NOT NULL, next_at INTEGER NOT NULL,
      backoff_ms INTEGER NOT NULL, parent_request_id TEXT)`);
    this.db.exec('CREATE INDEX IF NOT EXISTS events_next_at ON events (next_at)');
    this.statements = {
      insert: this.db.prepare(`INSERT OR IGNORE INTO events VALUES
        (@id, @function_name, @payload, @enqueued_at, @failed_attempts, @invoke_count, @next_at, @backoff_ms, @parent_request_id)`),
      due: this.db.prepare('SELECT * FROM events WHERE next_at <= ? ORDER BY next_at, enqueued_at LIMIT ?'),
      next: this.db.prepare('SELECT MIN(next_at) AS next_at FROM events'),
      reschedule: this.db.prepare(
        'UPDATE events SET failed_attempts = ?, invoke_count = ?, next_at = ?, backoff_ms = ? WHERE id = ?',
      ),
      remove: this.db.prepare('DELETE FROM events WHERE id = ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM events'),
    };
  }

  /** Stores events durably (one transaction, one fsync: group commit). */
  add(events: readonly AsyncEvent[]): void {
    const insert = this.statements.insert;
    this.db.transaction(() => {
      for (const e of events) {
        insert.run({
          id: e.id,
          function_name: e.functionName,
          payload: e.payload,
          enqueued_at: e.enqueuedAt,
          failed_attempts: e.failedAttempts,
          invoke_count: e.invokeCount,
          next_at: e.nextAt,
          backoff_ms: e.backoffMs,
          parent_request_id: e.parentRequestId,
        });
      }
    })();
  }

  /** Events whose next attempt is due, oldest first. */
  due(now: number, limit: number): AsyncEvent[] {
    return this.statements.due.all(now, limit).map(fromRow);
  }

  /** When the next event falls due, if any. */
  nextDueAt(): number | undefined {
    return this.statements.next.get()?.next_at ?? undefined;
  }

  reschedule(event: AsyncEvent): void {
    this.withoutFsync(() =>
      this.statements.reschedule.run(event.failedAttempts, event.invokeCount, event.nextAt, event.backoffMs, event.id),
    );
  }

  remove(id: string): void {
    this.withoutFsync(() => this.statements.remove.run(id));
  }

  get size(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  close(): void {
    this.db.close();
  }

  private withoutFsync(write: () => unknown): void {
    this.db.pragma('synchronous = NORMAL');
    try {
      write();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }
}
