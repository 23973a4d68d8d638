import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import { DYNAMODB_STREAMS } from '../model/awsLimits.js';
import type { StreamViewType } from '../model/tableSchema.js';
import type { JsonObject } from '../shared/jsonObject.js';

/** One stream of a table: a new one (new label and ARN) each time the stream is enabled. */
export interface TableStream {
  readonly arn: string;
  readonly table: string;
  readonly label: string;
  readonly viewType: StreamViewType;
  readonly createdMs: number;
  /** Set once the stream was disabled (or its table deleted): the shard is closed at `endSeq`. */
  readonly disabledMs: number | undefined;
  readonly endSeq: bigint | undefined;
}

/** A stored change record and its place in the shard. */
export interface StoredRecord {
  readonly seq: bigint;
  readonly createdMs: number;
  /** The record as the Streams API returns it, `SequenceNumber` included. */
  readonly record: JsonObject;
  /** Its size as stored JSON (what it adds to a payload, give or take the fields a reader adds). */
  readonly bytes: number;
}

interface StreamRow {
  arn: string;
  table_name: string;
  label: string;
  view_type: StreamViewType;
  created_ms: number;
  disabled_ms: number | null;
  end_seq: number | bigint | null;
}

/** Sequence numbers as DynamoDB shows them: 21 decimal digits, ordered as strings and as numbers. */
const SEQUENCE_BASE = 10n ** 20n;
export const formatSequenceNumber = (seq: bigint): string => (SEQUENCE_BASE + seq).toString();
export function parseSequenceNumber(text: string): bigint | undefined {
  if (!/^\d{21}$/.test(text)) return undefined;
  const value = BigInt(text) - SEQUENCE_BASE;
  return value >= 0n ? value : undefined;
}

const toStream = (row: StreamRow): TableStream => ({
  arn: row.arn,
  table: row.table_name,
  label: row.label,
  viewType: row.view_type,
  createdMs: row.created_ms,
  disabledMs: row.disabled_ms ?? undefined,
  endSeq: row.end_seq === null ? undefined : BigInt(row.end_seq),
});

/**
 * Tables' change streams and their TTL settings, in SQLite next to the tables: each change is appended (WAL,
 * survives a process crash) while its item's lock is held, so per item the sequence numbers follow the order of
 * the writes. Records are kept 24 hours (`trim`), as DynamoDB Streams keeps them.
 *
 * @example
 * const store = StreamStore.open('.tributary/dynamodb/streams.db');
 * const stream = store.enable('orders', 'NEW_AND_OLD_IMAGES', arnOf, Date.now());
 * store.settle([store.intend('orders', keys, oldImage)], { streamArn: stream.arn, record, createdMs: Date.now() });
 */
export class StreamStore {
  /** `appended` fires with a stream ARN after each append, so pollers wake without polling. */
  readonly events = new EventEmitter<{ appended: [string] }>();
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly selectEnabled: Database.Statement;
  private readonly insertIntent: Database.Statement;
  private readonly deleteIntent: Database.Statement;
  /** Appends a record (if any) and drops intents in one commit. */
  private readonly settleAll: (
    intents: readonly number[],
    record: { streamArn: string; record: JsonObject; createdMs: number } | undefined,
  ) => void;
  private readonly selectRecords: Database.Statement;
  /** Each table's enabled stream (or null for none), read on every write: kept in memory, dropped on changes. */
  private readonly enabledByTable = new Map<string, TableStream | null>();

  private constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS streams (
        arn TEXT PRIMARY KEY, table_name TEXT NOT NULL, label TEXT NOT NULL, view_type TEXT NOT NULL,
        created_ms INTEGER NOT NULL, disabled_ms INTEGER, end_seq INTEGER);
      CREATE TABLE IF NOT EXISTS records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, stream_arn TEXT NOT NULL, created_ms INTEGER NOT NULL, record TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS records_by_stream ON records (stream_arn, seq);
      CREATE TABLE IF NOT EXISTS ttl (table_name TEXT PRIMARY KEY, attribute TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS intents (
        id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, keys TEXT NOT NULL, old TEXT);
    `);
    this.db.defaultSafeIntegers(false);
    // One listener per mapping lane; many lanes are expected, not a leak.
    this.events.setMaxListeners(0);
    this.insert = this.db.prepare('INSERT INTO records (stream_arn, created_ms, record) VALUES (?, ?, ?)');
    this.insertIntent = this.db.prepare('INSERT INTO intents (table_name, keys, old) VALUES (?, ?, ?)');
    this.deleteIntent = this.db.prepare('DELETE FROM intents WHERE id = ?');
    this.settleAll = this.db.transaction((intents, record) => {
      if (record !== undefined) this.insert.run(record.streamArn, record.createdMs, JSON.stringify(record.record));
      for (const id of intents) this.deleteIntent.run(id);
    });
    this.selectEnabled = this.db.prepare(
      'SELECT * FROM streams WHERE table_name = ? AND disabled_ms IS NULL ORDER BY created_ms DESC LIMIT 1',
    );
    this.selectRecords = this.db.prepare(
      'SELECT seq, created_ms, record FROM records WHERE stream_arn = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
  }

  static open(file: string): StreamStore {
    return new StreamStore(file);
  }

  /** The table's enabled stream, if any. */
  enabled(table: string): TableStream | undefined {
    const known = this.enabledByTable.get(table);
    if (known !== undefined) return known ?? undefined;
    const row = this.selectEnabled.get(table) as StreamRow | undefined;
    const stream = row === undefined ? undefined : toStream(row);
    this.enabledByTable.set(table, stream ?? null);
    return stream;
  }

  /** The newest stream of the table, enabled or not (DescribeTable's `LatestStreamArn`). */
  latest(table: string): TableStream | undefined {
    const row = this.db
      .prepare('SELECT * FROM streams WHERE table_name = ? ORDER BY created_ms DESC LIMIT 1')
      .get(table) as StreamRow | undefined;
    return row === undefined ? undefined : toStream(row);
  }

  byArn(arn: string): TableStream | undefined {
    const row = this.db.prepare('SELECT * FROM streams WHERE arn = ?').get(arn) as StreamRow | undefined;
    return row === undefined ? undefined : toStream(row);
  }

  /** Every stream still within retention, newest first (ListStreams). */
  list(table?: string): TableStream[] {
    const rows = (
      table === undefined
        ? this.db.prepare('SELECT * FROM streams ORDER BY created_ms DESC').all()
        : this.db.prepare('SELECT * FROM streams WHERE table_name = ? ORDER BY created_ms DESC').all(table)
    ) as StreamRow[];
    return rows.map(toStream);
  }

  /** Enables a new stream for the table, labelled with its creation time (unique per table). */
  enable(table: string, viewType: StreamViewType, arnOf: (label: string) => string, nowMs: number): TableStream {
    let createdMs = nowMs;
    const last = this.latest(table);
    if (last !== undefined && last.createdMs >= createdMs) createdMs = last.createdMs + 1;
    const label = new Date(createdMs).toISOString().slice(0, -1);
    const arn = arnOf(label);
    this.enabledByTable.delete(table);
    this.db
      .prepare('INSERT INTO streams (arn, table_name, label, view_type, created_ms) VALUES (?, ?, ?, ?, ?)')
      .run(arn, table, label, viewType, createdMs);
    return toStream({
      arn,
      table_name: table,
      label,
      view_type: viewType,
      created_ms: createdMs,
      disabled_ms: null,
      end_seq: null,
    });
  }

  /** Closes the table's enabled stream: its shard ends at the last record written to it. */
  disable(table: string, nowMs: number): void {
    const stream = this.enabled(table);
    if (stream === undefined) return;
    this.enabledByTable.delete(table);
    const last = this.db.prepare('SELECT MAX(seq) AS seq FROM records WHERE stream_arn = ?').get(stream.arn) as {
      seq: number | null;
    };
    this.db
      .prepare('UPDATE streams SET disabled_ms = ?, end_seq = ? WHERE arn = ?')
      .run(nowMs, last.seq ?? 0, stream.arn);
  }

  /**
   * Notes, before a write to a streamed table, which item it changes and how it was: if the process dies between
   * the item's write and its record, `intents()` tells the next start what to reconcile. Returns the intent's id.
   */
  intend(table: string, keys: JsonObject, oldImage: JsonObject | undefined): number {
    const result = this.insertIntent.run(
      table,
      JSON.stringify(keys),
      oldImage === undefined ? null : JSON.stringify(oldImage),
    );
    return Number(result.lastInsertRowid);
  }

  /** Drops intents whose writes were recorded (or changed nothing), with the record appended in the same commit. */
  settle(intents: readonly number[], record?: { streamArn: string; record: JsonObject; createdMs: number }): void {
    this.settleAll(intents, record);
    if (record !== undefined) this.events.emit('appended', record.streamArn);
  }

  /** Writes that began but whose records were never settled (a crash in between), oldest first. */
  intents(): { id: number; table: string; keys: JsonObject; oldImage: JsonObject | undefined }[] {
    const rows = this.db.prepare('SELECT id, table_name, keys, old FROM intents ORDER BY id').all() as {
      id: number;
      table_name: string;
      keys: string;
      old: string | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      table: row.table_name,
      keys: JSON.parse(row.keys) as JsonObject,
      oldImage: row.old === null ? undefined : (JSON.parse(row.old) as JsonObject),
    }));
  }

  /** Up to `limit` records of the stream after `afterSeq`, oldest first. */
  read(streamArn: string, afterSeq: bigint, limit: number): StoredRecord[] {
    const rows = this.selectRecords.all(streamArn, afterSeq, limit) as {
      seq: number;
      created_ms: number;
      record: string;
    }[];
    return rows.map((row) => {
      const record = JSON.parse(row.record) as JsonObject;
      const seq = BigInt(row.seq);
      (record.dynamodb as JsonObject).SequenceNumber = formatSequenceNumber(seq);
      return { seq, createdMs: row.created_ms, record, bytes: Buffer.byteLength(row.record) };
    });
  }

  /** The oldest record still kept (its seq - 1 is TRIM_HORIZON's position) and the newest, or undefined when empty. */
  bounds(streamArn: string): { first: bigint; last: bigint } | undefined {
    const row = this.db
      .prepare('SELECT MIN(seq) AS first, MAX(seq) AS last FROM records WHERE stream_arn = ?')
      .get(streamArn) as { first: number | null; last: number | null };
    return row.first === null || row.last === null ? undefined : { first: BigInt(row.first), last: BigInt(row.last) };
  }

  /** The newest sequence number written to any stream (LATEST's position), 0 when none. */
  head(): bigint {
    const row = this.db.prepare('SELECT MAX(seq) AS seq FROM records').get() as { seq: number | null };
    return BigInt(row.seq ?? 0);
  }

  /** Drops records (and closed streams) older than the 24-hour retention. */
  trim(nowMs: number): number {
    const cutoff = nowMs - DYNAMODB_STREAMS.retentionMs;
    const removed = this.db.prepare('DELETE FROM records WHERE created_ms < ?').run(cutoff).changes;
    this.db.prepare('DELETE FROM streams WHERE disabled_ms IS NOT NULL AND disabled_ms < ?').run(cutoff);
    return removed;
  }

  ttlAttribute(table: string): string | undefined {
    const row = this.db.prepare('SELECT attribute FROM ttl WHERE table_name = ?').get(table) as
      | { attribute: string }
      | undefined;
    return row?.attribute;
  }

  ttlTables(): { table: string; attribute: string }[] {
    return (
      this.db.prepare('SELECT table_name, attribute FROM ttl').all() as { table_name: string; attribute: string }[]
    ).map((row) => ({ table: row.table_name, attribute: row.attribute }));
  }

  setTtl(table: string, attribute: string | undefined): void {
    if (attribute === undefined) this.db.prepare('DELETE FROM ttl WHERE table_name = ?').run(table);
    else
      this.db
        .prepare(
          'INSERT INTO ttl (table_name, attribute) VALUES (?, ?) ON CONFLICT (table_name) DO UPDATE SET attribute = excluded.attribute',
        )
        .run(table, attribute);
  }

  close(): void {
    this.events.removeAllListeners();
    this.db.close();
  }
}
