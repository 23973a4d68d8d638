import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, write } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A record as the journal keeps it: where it lives (for checkpointing) and what arrived when. */
export interface JournalRecord {
  readonly segment: number;
  readonly data: Buffer;
  readonly arrivalMs: number;
  /** Set for a block: `data` holds this many NDJSON records (see `appendBlock`). */
  readonly count?: number;
}

/** Frame header: payload length (u32) + arrival time (f64). A block's length has the top bit set, then a count (u32). */
const HEADER_BYTES = 12;
const BLOCK_FLAG = 0x80000000;
/** A segment is closed and a new one started beyond this, so delivered segments can be deleted. */
const SEGMENT_BYTES = 64 * 1024 * 1024;

const writeAsync = (fd: number, buffer: Buffer, offset: number, length: number): Promise<number> =>
  new Promise((resolve, reject) =>
    write(fd, buffer, offset, length, null, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  );
const fdatasyncAsync = promisify(fdatasync);

const segmentFile = (n: number): string => `${String(n).padStart(10, '0')}.log`;

/**
 * A delivery stream's write-ahead journal: records are appended to segment files and fdatasync'ed before a put is
 * acknowledged — with group commit, so concurrent puts share one sync. A segment is deleted once every record in
 * it has been delivered; on restart, the records of the segments still present are replayed (at least once).
 * A torn frame at the end of a segment (a crash mid-write, never acknowledged) is ignored.
 *
 * @example
 * const journal = new StreamJournal(dir);
 * const replay = journal.recover();
 * const segment = await journal.append([Buffer.from('{"a":1}')], Date.now());
 * journal.delivered(segment, 1);
 */
export class StreamJournal {
  private readonly dir: string;
  private active = 0;
  private fd: number | undefined;
  private activeBytes = 0;
  /** Records appended but not yet delivered, per segment. */
  private readonly outstanding = new Map<number, number>();
  private queue: { frames: Buffer[]; count: number; resolve: (segment: number) => void; reject: (e: Error) => void }[] =
    [];
  private syncing = false;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Reads what earlier runs left undelivered and opens a fresh segment for new records. */
  recover(): JournalRecord[] {
    const records_: JournalRecord[] = [];
    const segments = readdirSync(this.dir)
      .filter((f) => /^\d{10}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 10)))
      .sort((a, b) => a - b);
    for (const segment of segments) {
      const bytes = readFileSync(join(this.dir, segmentFile(segment)));
      let count = 0;
      for (let offset = 0; offset + HEADER_BYTES <= bytes.length; ) {
        const word = bytes.readUInt32LE(offset);
        const block = (word & BLOCK_FLAG) !== 0;
        const length = word & ~BLOCK_FLAG;
        const start = offset + HEADER_BYTES + (block ? 4 : 0);
        const end = start + length;
        if (end > bytes.length) break;
        const arrivalMs = bytes.readDoubleLE(offset + 4);
        const data = bytes.subarray(start, end);
        if (block) {
          const records = bytes.readUInt32LE(offset + HEADER_BYTES);
          records_.push({ segment, arrivalMs, data, count: records });
          count += records;
        } else {
          records_.push({ segment, arrivalMs, data });
          count += 1;
        }
        offset = end;
      }
      if (count === 0) rmSync(join(this.dir, segmentFile(segment)), { force: true });
      else this.outstanding.set(segment, count);
    }
    this.active = (segments.at(-1) ?? 0) + 1;
    this.openActive();
    return records_;
  }

  /** Appends records durably; resolves with their segment once they are on disk. */
  append(records: readonly Buffer[], arrivalMs: number): Promise<number> {
    // One buffer per append: headers and payloads copied side by side (no per-record allocations).
    let size = 0;
    for (const data of records) size += HEADER_BYTES + data.length;
    const frames = Buffer.allocUnsafe(size);
    let offset = 0;
    for (const data of records) {
      frames.writeUInt32LE(data.length, offset);
      frames.writeDoubleLE(arrivalMs, offset + 4);
      offset += HEADER_BYTES + data.copy(frames, offset + HEADER_BYTES);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ frames: [frames], count: records.length, resolve, reject });
      if (!this.syncing) setImmediate(() => void this.commit());
    });
  }

  /**
   * Appends `count` NDJSON records held in one buffer (a canonical NDJSON body) as one frame: the records are not
   * copied apart or framed one by one. Replayed as one `JournalRecord` with `count`.
   */
  appendBlock(block: Buffer, count: number, arrivalMs: number): Promise<number> {
    const header = Buffer.allocUnsafe(HEADER_BYTES + 4);
    header.writeUInt32LE((block.length | BLOCK_FLAG) >>> 0, 0);
    header.writeDoubleLE(arrivalMs, 4);
    header.writeUInt32LE(count, HEADER_BYTES);
    return new Promise((resolve, reject) => {
      this.queue.push({ frames: [header, block], count, resolve, reject });
      if (!this.syncing) setImmediate(() => void this.commit());
    });
  }

  /** `count` records of `segment` were delivered; a closed segment with nothing outstanding is deleted. */
  delivered(segment: number, count: number): void {
    const left = (this.outstanding.get(segment) ?? 0) - count;
    if (left > 0) {
      this.outstanding.set(segment, left);
      return;
    }
    this.outstanding.delete(segment);
    // A fully delivered active segment is closed too, so a restart does not replay what was delivered.
    if (segment === this.active) {
      if (!this.syncing && this.fd !== undefined) this.rotate();
    } else rmSync(join(this.dir, segmentFile(segment)), { force: true });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Group commit: everything queued while the previous sync ran is written with one write and one fdatasync (on
   * libuv's thread pool, so the event loop keeps accepting puts meanwhile).
   */
  private async commit(): Promise<void> {
    if (this.syncing || this.queue.length === 0) return;
    this.syncing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      const fd = this.fd;
      if (fd === undefined) throw new Error('the journal is closed');
      const parts = batch.flatMap((b) => b.frames);
      const body = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
      let written = 0;
      while (written < body.length) written += await writeAsync(fd, body, written, body.length - written);
      await fdatasyncAsync(fd);
      const segment = this.active;
      this.activeBytes += body.length;
      for (const item of batch) {
        this.outstanding.set(segment, (this.outstanding.get(segment) ?? 0) + item.count);
        item.resolve(segment);
      }
      if (this.activeBytes >= SEGMENT_BYTES || !this.outstanding.has(segment)) this.rotate();
    } catch (error) {
      for (const item of batch) item.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.syncing = false;
      if (this.queue.length > 0) void this.commit();
    }
  }

  private rotate(): void {
    const finished = this.active;
    if (this.fd !== undefined) closeSync(this.fd);
    this.active += 1;
    this.openActive();
    if (!this.outstanding.has(finished)) rmSync(join(this.dir, segmentFile(finished)), { force: true });
  }

  private openActive(): void {
    this.fd = openSync(join(this.dir, segmentFile(this.active)), 'a');
    this.activeBytes = 0;
  }
}
