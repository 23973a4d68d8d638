import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { InvocationRecord } from './invocationRecord.js';

export interface RecordQuery {
  readonly functionName?: string;
  /** The newest `limit` records (default all kept). */
  readonly limit?: number;
}

/** Lines written to the file at once, at most this often: one write per batch, not per invocation. */
const FLUSH_INTERVAL_MS = 50;
const FLUSH_BYTES = 256 * 1024;

/**
 * Keeps recent invocation records in memory (a bounded ring) and appends every record to an NDJSON file
 * that `tributary logs` reads, also from another process. Records are observability, not acknowledged
 * data, so they are not fsynced, and lines are batched (every 50 ms or 256 KB) so a busy gateway does not
 * pay a file write per request.
 *
 * @example
 * const store = new RecordStore({ capacity: 1000, file: '.tributary/invocations.ndjson' });
 * store.subscribe((record) => print(record));
 * store.list({ functionName: 'orders', limit: 10 });
 */
export class RecordStore {
  private readonly capacity: number;
  /** A ring: `next` is where the next record goes; once full, it is also the oldest. */
  private readonly records: InvocationRecord[] = [];
  private next = 0;
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  private readonly file: string | undefined;
  private stream: Promise<WriteStream> | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(options: { capacity?: number; file?: string } = {}) {
    this.capacity = options.capacity ?? 10_000;
    this.file = options.file;
  }

  add(record: InvocationRecord): void {
    if (this.records.length < this.capacity) this.records.push(record);
    else this.records[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
    if (this.file !== undefined) {
      const line = `${JSON.stringify(record)}\n`;
      this.pending.push(line);
      this.pendingBytes += line.length;
      if (this.pendingBytes >= FLUSH_BYTES) this.flush();
      else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
    }
    for (const listener of this.listeners) listener(record);
  }

  /** Kept records, oldest first, optionally of one function and only the newest `limit`. */
  list(query: RecordQuery = {}): InvocationRecord[] {
    const ordered =
      this.records.length < this.capacity
        ? this.records
        : [...this.records.slice(this.next), ...this.records.slice(0, this.next)];
    const matching = ordered.filter((r) => query.functionName === undefined || r.functionName === query.functionName);
    return query.limit === undefined ? matching : matching.slice(-query.limit);
  }

  /** Calls `listener` for every new record; returns the unsubscribe function. */
  subscribe(listener: (record: InvocationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    this.flush();
    const stream = await this.stream;
    if (stream !== undefined) await new Promise<void>((resolve) => stream.end(resolve));
    this.stream = undefined;
  }

  /** Hands the batched lines to the file stream (which keeps their order). */
  private flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.file === undefined || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    void this.open(this.file).then((stream) => stream.write(text));
  }

  private open(file: string): Promise<WriteStream> {
    this.stream ??= mkdir(dirname(file), { recursive: true }).then(() => createWriteStream(file, { flags: 'a' }));
    return this.stream;
  }
}
