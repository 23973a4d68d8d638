import Database from 'better-sqlite3';

/**
 * Where each event source mapping lane has got to in its source, durable across kill -9: a lane resumes after
 * its last checkpoint, so a batch that was being processed when the process died runs again (at least once, as
 * on AWS) and nothing before it does.
 *
 * @example
 * const checkpoints = CheckpointStore.open('.tributary/event-sources.db');
 * checkpoints.save('esm-uuid', streamArn, 0, 42n);
 */
export class CheckpointStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;

  private constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (kill -9); only power loss could replay a batch again.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
      mapping TEXT NOT NULL, source TEXT NOT NULL, lane INTEGER NOT NULL, position INTEGER NOT NULL,
      PRIMARY KEY (mapping, source, lane))`);
    this.upsert = this.db.prepare(
      'INSERT INTO checkpoints (mapping, source, lane, position) VALUES (?, ?, ?, ?) ON CONFLICT (mapping, source, lane) DO UPDATE SET position = excluded.position',
    );
    this.select = this.db.prepare('SELECT position FROM checkpoints WHERE mapping = ? AND source = ? AND lane = ?');
  }

  static open(file: string): CheckpointStore {
    return new CheckpointStore(file);
  }

  load(mapping: string, source: string, lane: number): bigint | undefined {
    const row = this.select.get(mapping, source, lane) as { position: number } | undefined;
    return row === undefined ? undefined : BigInt(row.position);
  }

  save(mapping: string, source: string, lane: number, position: bigint): void {
    this.upsert.run(mapping, source, lane, position);
  }

  close(): void {
    this.db.close();
  }
}
