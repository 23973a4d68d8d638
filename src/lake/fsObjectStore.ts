import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { writeAndSync } from '../shared/durableFile.js';
import { etagMatches } from './etagMatches.js';
import { hashedPath, isMirrorableKey, mirroredPath } from './objectPaths.js';
import { noSuchBucket, noSuchKey, noSuchUpload, preconditionFailed, s3Error } from './objectStoreErrors.js';

/** What is known of a stored object besides its bytes. */
export interface ObjectMeta {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"`, or `"<md5 of part md5s>-<parts>"` for multipart objects. */
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType: string;
  /** `x-amz-meta-*` values, by lowercase name without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Stored representation headers: cache-control, content-disposition, content-encoding, content-language, expires. */
  readonly headers: Readonly<Record<string, string>>;
  /** Full-object checksums by algorithm (`CRC32`, `SHA256`, ...), base64. */
  readonly checksums: Readonly<Record<string, string>>;
  /** Absolute path of the object's bytes. */
  readonly path: string;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly checksums?: Readonly<Record<string, string>>;
  /** `*`: create only. */
  readonly ifNoneMatch?: string;
  /** Compare-and-swap on the current ETag. */
  readonly ifMatch?: string;
  /** Overrides the MD5 ETag (multipart objects). */
  readonly etag?: string;
}

export interface UploadPart {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
}

interface ObjectRow {
  bucket: string;
  key: string;
  path: string;
  size: number;
  etag: string;
  last_modified: number;
  content_type: string;
  metadata: string;
  headers: string;
  checksums: string;
}

const toMeta = (row: ObjectRow): ObjectMeta => ({
  bucket: row.bucket,
  key: row.key,
  size: row.size,
  etag: row.etag,
  lastModified: row.last_modified,
  contentType: row.content_type,
  metadata: JSON.parse(row.metadata) as Record<string, string>,
  headers: JSON.parse(row.headers) as Record<string, string>,
  checksums: JSON.parse(row.checksums) as Record<string, string>,
  path: row.path,
});

/** Writes `data` to `file` durably and atomically: aside, fsync, rename. */
async function writeAtomically(file: string, data: Buffer, scratch: string): Promise<void> {
  const temporary = join(scratch, randomUUID());
  await writeAndSync(temporary, data, 'w');
  await mkdir(dirname(file), { recursive: true });
  await rename(temporary, file);
}

/**
 * The object store on the local file system: objects' bytes under `<root>/<bucket>/<key>` (so SQL over a prefix
 * can read the files), their metadata in an SQLite index next to them. A write lands aside and is renamed into
 * place before the index names it: a reader sees the old object or the new one, never half of one, and a
 * successful write is on disk (strong read-after-write, as S3 since 2020).
 *
 * @example
 * const store = new FsObjectStore('.tributary/s3');
 * store.createBucket('lake');
 * await store.putObject('lake', 'dept=sales/a.json', Buffer.from('{}'));
 */
export class FsObjectStore {
  private readonly root: string;
  private readonly db: Database.Database;
  /** Writes to one key are serialised, so conditional writes are atomic. */
  private readonly keyLocks = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.root = root;
    mkdirSync(root, { recursive: true });
    this.db = new Database(join(root, '.tributary-index.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, created INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, key TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,
        etag TEXT NOT NULL, last_modified INTEGER NOT NULL, content_type TEXT NOT NULL, metadata TEXT NOT NULL,
        headers TEXT NOT NULL, checksums TEXT NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS uploads (id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL,
        initiated INTEGER NOT NULL, options TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS parts (upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, size INTEGER NOT NULL,
        etag TEXT NOT NULL, md5 BLOB NOT NULL, PRIMARY KEY (upload_id, part_number));`);
  }

  close(): void {
    this.db.close();
  }

  // Buckets

  /** Creates a bucket; false when it already existed. */
  createBucket(name: string): boolean {
    const result = this.db.prepare('INSERT OR IGNORE INTO buckets VALUES (?, ?)').run(name, Date.now());
    mkdirSync(join(this.root, name), { recursive: true });
    return result.changes === 1;
  }

  hasBucket(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM buckets WHERE name = ?').get(name) !== undefined;
  }

  listBuckets(): { name: string; created: number }[] {
    return this.db.prepare('SELECT name, created FROM buckets ORDER BY name').all() as {
      name: string;
      created: number;
    }[];
  }

  async deleteBucket(name: string): Promise<void> {
    this.requireBucket(name);
    if (this.db.prepare('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1').get(name) !== undefined) {
      throw s3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: name });
    }
    this.db.prepare('DELETE FROM buckets WHERE name = ?').run(name);
    await rm(join(this.root, name), { recursive: true, force: true });
  }

  // Objects

  head(bucket: string, key: string): ObjectMeta | undefined {
    this.requireBucket(bucket);
    const row = this.db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?').get(bucket, key) as
      | ObjectRow
      | undefined;
    return row === undefined ? undefined : toMeta(row);
  }

  /** The object's metadata, or NoSuchKey. */
  get(bucket: string, key: string): ObjectMeta {
    const meta = this.head(bucket, key);
    if (meta === undefined) throw noSuchKey(key);
    return meta;
  }

  putObject(bucket: string, key: string, body: Buffer, options: PutOptions = {}): Promise<ObjectMeta> {
    this.requireBucket(bucket);
    return this.withKeyLock(bucket, key, async () => {
      const current = this.head(bucket, key);
      if (options.ifNoneMatch === '*' && current !== undefined) throw preconditionFailed('If-None-Match');
      if (options.ifMatch !== undefined) {
        if (current === undefined) throw noSuchKey(key);
        if (!etagMatches(options.ifMatch, current.etag)) throw preconditionFailed('If-Match');
      }
      const path = this.dataPath(bucket, key, current);
      await writeAtomically(path, body, join(this.root, '.tributary-tmp'));
      const meta: ObjectMeta = {
        bucket,
        key,
        size: body.length,
        etag: options.etag ?? `"${createHash('md5').update(body).digest('hex')}"`,
        lastModified: Date.now(),
        contentType: options.contentType ?? 'application/octet-stream',
        metadata: options.metadata ?? {},
        headers: options.headers ?? {},
        checksums: options.checksums ?? {},
        path,
      };
      this.db
        .prepare('INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(
          bucket,
          key,
          path,
          meta.size,
          meta.etag,
          meta.lastModified,
          meta.contentType,
          JSON.stringify(meta.metadata),
          JSON.stringify(meta.headers),
          JSON.stringify(meta.checksums),
        );
      if (current !== undefined && current.path !== path) await unlink(current.path).catch(() => undefined);
      return meta;
    });
  }

  /** The object's bytes, whole or a range [start, end] (inclusive). */
  async read(meta: ObjectMeta, range?: { start: number; end: number }): Promise<Buffer> {
    if (range === undefined) return readFile(meta.path);
    const handle = await open(meta.path, 'r');
    try {
      const buffer = Buffer.alloc(range.end - range.start + 1);
      await handle.read(buffer, 0, buffer.length, range.start);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  deleteObject(bucket: string, key: string): Promise<void> {
    this.requireBucket(bucket);
    return this.withKeyLock(bucket, key, async () => {
      const current = this.head(bucket, key);
      if (current === undefined) return;
      this.db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?').run(bucket, key);
      await unlink(current.path).catch(() => undefined);
    });
  }

  /** Keys in UTF-8 binary order (SQLite's BINARY collation on UTF-8 text), with a prefix, after `after`. */
  listKeys(bucket: string, prefix: string, after: string, limit: number): ObjectMeta[] {
    this.requireBucket(bucket);
    const rows = this.db
      .prepare(
        'SELECT * FROM objects WHERE bucket = ? AND key > ? AND substr(key, 1, length(?)) = ? ORDER BY key LIMIT ?',
      )
      .all(bucket, after, prefix, prefix, limit) as ObjectRow[];
    return rows.map(toMeta);
  }

  // Multipart uploads

  createUpload(bucket: string, key: string, options: PutOptions): string {
    this.requireBucket(bucket);
    const id = randomUUID().replaceAll('-', '');
    this.db
      .prepare('INSERT INTO uploads VALUES (?, ?, ?, ?, ?)')
      .run(id, bucket, key, Date.now(), JSON.stringify(options));
    return id;
  }

  async uploadPart(uploadId: string, bucket: string, key: string, partNumber: number, body: Buffer): Promise<string> {
    this.requireUpload(uploadId, bucket, key);
    const md5 = createHash('md5').update(body).digest();
    await writeAtomically(this.partPath(uploadId, partNumber), body, join(this.root, '.tributary-tmp'));
    const etag = `"${md5.toString('hex')}"`;
    this.db
      .prepare('INSERT OR REPLACE INTO parts VALUES (?, ?, ?, ?, ?)')
      .run(uploadId, partNumber, body.length, etag, md5);
    return etag;
  }

  listParts(uploadId: string, bucket: string, key: string): UploadPart[] {
    this.requireUpload(uploadId, bucket, key);
    return this.db
      .prepare('SELECT part_number AS partNumber, size, etag FROM parts WHERE upload_id = ? ORDER BY part_number')
      .all(uploadId) as UploadPart[];
  }

  listUploads(bucket: string): { id: string; key: string; initiated: number }[] {
    this.requireBucket(bucket);
    return this.db
      .prepare('SELECT id, key, initiated FROM uploads WHERE bucket = ? ORDER BY key, initiated')
      .all(bucket) as {
      id: string;
      key: string;
      initiated: number;
    }[];
  }

  /**
   * Joins the listed parts into the object. Parts must be listed in ascending order with their ETags; every part
   * but the last must be at least 5 MiB. The ETag is the MD5 of the parts' MD5s, `-<count>`, as S3's.
   */
  async completeUpload(
    uploadId: string,
    bucket: string,
    key: string,
    listed: readonly { partNumber: number; etag: string }[],
  ): Promise<ObjectMeta> {
    const upload = this.requireUpload(uploadId, bucket, key);
    if (listed.length === 0) throw s3Error('MalformedXML', 400, 'You must specify at least one part');
    const stored = new Map(
      (
        this.db.prepare('SELECT part_number, size, etag, md5 FROM parts WHERE upload_id = ?').all(uploadId) as {
          part_number: number;
          size: number;
          etag: string;
          md5: Buffer;
        }[]
      ).map((p) => [p.part_number, p]),
    );
    const chunks: Buffer[] = [];
    const md5s: Buffer[] = [];
    let previous = 0;
    for (const [index, part] of listed.entries()) {
      if (part.partNumber <= previous) {
        throw s3Error(
          'InvalidPartOrder',
          400,
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
      }
      previous = part.partNumber;
      const found = stored.get(part.partNumber);
      if (found === undefined || !etagMatches(part.etag, found.etag)) {
        throw s3Error(
          'InvalidPart',
          400,
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      }
      if (index < listed.length - 1 && found.size < 5 * 1024 * 1024) {
        throw s3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.');
      }
      chunks.push(await readFile(this.partPath(uploadId, part.partNumber)));
      md5s.push(found.md5);
    }
    const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${listed.length}"`;
    const options = JSON.parse(upload.options) as PutOptions;
    const meta = await this.putObject(bucket, key, Buffer.concat(chunks), { ...options, etag });
    await this.abortUpload(uploadId, bucket, key);
    return meta;
  }

  async abortUpload(uploadId: string, bucket: string, key: string): Promise<void> {
    this.requireUpload(uploadId, bucket, key);
    this.db.prepare('DELETE FROM parts WHERE upload_id = ?').run(uploadId);
    this.db.prepare('DELETE FROM uploads WHERE id = ?').run(uploadId);
    await rm(join(this.root, '.tributary-uploads', uploadId), { recursive: true, force: true });
  }

  private partPath(uploadId: string, partNumber: number): string {
    return join(this.root, '.tributary-uploads', uploadId, String(partNumber));
  }

  private requireUpload(uploadId: string, bucket: string, key: string): { options: string } {
    const upload = this.db
      .prepare('SELECT options FROM uploads WHERE id = ? AND bucket = ? AND key = ?')
      .get(uploadId, bucket, key) as { options: string } | undefined;
    if (upload === undefined) throw noSuchUpload(uploadId);
    return upload;
  }

  private requireBucket(bucket: string): void {
    if (!this.hasBucket(bucket)) throw noSuchBucket(bucket);
  }

  /** The mirrored path when the key allows it and no folder or other key is in the way, else a hashed one. */
  private dataPath(bucket: string, key: string, current: ObjectMeta | undefined): string {
    if (!isMirrorableKey(key)) return hashedPath(this.root, bucket, key);
    const mirrored = mirroredPath(this.root, bucket, key);
    if (current?.path === mirrored) return mirrored;
    const blocked = existsSync(mirrored) || blockedByFile(join(this.root, bucket), key);
    return blocked ? hashedPath(this.root, bucket, key) : mirrored;
  }

  private async withKeyLock<T>(bucket: string, key: string, work: () => Promise<T>): Promise<T> {
    const id = `${bucket}\0${key}`;
    const previous = this.keyLocks.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.keyLocks.set(id, settled);
    void settled.then(() => {
      if (this.keyLocks.get(id) === settled) this.keyLocks.delete(id);
    });
    return next;
  }
}

/** True when some parent folder of the key exists as a file (another key's data). */
function blockedByFile(bucketDir: string, key: string): boolean {
  const parts = key.split('/');
  let dir = bucketDir;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    if (existsSync(dir) && !statSync(dir).isDirectory()) return true;
  }
  return false;
}
