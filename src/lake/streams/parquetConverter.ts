import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakeTable } from '../../model/lakeSchema.js';
import { coerceValue, duckDbType, parseColumnType, quoteIdentifier } from '../columnTypes.js';
import { splitNdjson } from './ndjsonLines.js';

/** A record the conversion refused: which item held it, its bytes, and the reason (for the error prefix). */
export interface FailedRecord {
  readonly item: number;
  readonly data: Buffer;
  readonly message: string;
}

/** What the converter takes: single records, or blocks of `count` NDJSON records each ending in `\n`. */
export interface ConversionItem {
  readonly data: Buffer;
  readonly count?: number;
}

export interface Conversion {
  /** The Parquet file, or undefined when no record converted. */
  readonly parquet: Buffer | undefined;
  readonly failed: readonly FailedRecord[];
}

const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * The records as one NDJSON buffer (each on its line, copied once into a single allocation), or undefined when a
 * record spans lines (the fast path cannot hand it to DuckDB's line reader).
 */
function ndjson(items: readonly ConversionItem[]): Buffer | undefined {
  let size = 0;
  for (const { data: r, count } of items) {
    if (count !== undefined) {
      size += r.length;
      continue;
    }
    const newline = r.indexOf(10);
    if (newline >= 0 && newline !== r.length - 1) return undefined;
    size += newline < 0 ? r.length + 1 : r.length;
  }
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const { data: r } of items) {
    out.set(r, offset);
    offset += r.length;
    if (r[r.length - 1] !== 10) out[offset++] = 10;
  }
  return out;
}

/**
 * JSON records to one Parquet file with the table's column types, by DuckDB. The fast path hands DuckDB the records
 * as they arrived (one per line); when it refuses the batch, each record is checked and coerced as OpenX's JSON
 * SerDe would (numeric strings, epoch timestamps), the good ones are converted and the others reported — so a bad
 * record never takes good ones down with it, and none is dropped silently.
 */
export class ParquetConverter {
  private readonly connection: DuckDBConnection;
  private readonly tmpDir: string;

  constructor(connection: DuckDBConnection, tmpDir: string) {
    this.connection = connection;
    this.tmpDir = tmpDir;
  }

  async convert(items: readonly ConversionItem[], table: LakeTable, compression: string): Promise<Conversion> {
    await mkdir(this.tmpDir, { recursive: true });
    const lines = ndjson(items);
    if (lines !== undefined) {
      try {
        return { parquet: await this.run(lines, table, compression), failed: [] };
      } catch {
        // Some record does not fit the table: find which, below.
      }
    }
    const columns = Object.entries(table.columns).map(([name, type]) => [name, parseColumnType(type)] as const);
    const good: ConversionItem[] = [];
    const failed: FailedRecord[] = [];
    const records = items.flatMap((item, index) =>
      (item.count === undefined ? [item.data] : splitNdjson(item.data).records).map((data) => ({ data, index })),
    );
    records.forEach(({ data: record, index }) => {
      if (!isUtf8(record)) {
        failed.push({ item: index, data: record, message: 'not valid UTF-8' });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(record.toString('utf8'));
      } catch (error) {
        failed.push({
          item: index,
          data: record,
          message: `not JSON: ${error instanceof Error ? error.message : String(error)}`,
        });
        return;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        failed.push({ item: index, data: record, message: 'a record must be one JSON object' });
        return;
      }
      const row: Record<string, unknown> = {};
      for (const [name, type] of columns) {
        const coerced = coerceValue(type, (parsed as Record<string, unknown>)[name]);
        if (!coerced.ok) {
          failed.push({ item: index, data: record, message: `column ${name}: ${coerced.message}` });
          return;
        }
        row[name] = coerced.value;
      }
      good.push({ data: Buffer.from(JSON.stringify(row)) });
    });
    if (good.length === 0) return { parquet: undefined, failed };
    try {
      return { parquet: await this.run(ndjson(good) ?? Buffer.alloc(0), table, compression), failed };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { parquet: undefined, failed: records.map(({ data, index }) => ({ item: index, data, message })) };
    }
  }

  /** Removes the scratch folder. */
  async dispose(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
  }

  private async run(lines: Buffer, table: LakeTable, compression: string): Promise<Buffer> {
    const id = randomUUID();
    const input = join(this.tmpDir, `${id}.ndjson`);
    const output = join(this.tmpDir, `${id}.parquet`);
    await writeFile(input, lines);
    const columns = Object.entries(table.columns);
    const spec = columns.map(
      ([name, type]) => `${quoteIdentifier(name)}: ${sqlString(duckDbType(parseColumnType(type)))}`,
    );
    const select = columns.map(([name]) => quoteIdentifier(name)).join(', ');
    try {
      await this.connection.run(
        `COPY (SELECT ${select} FROM read_json(${sqlString(input)}, format = 'newline_delimited', columns = {${spec.join(', ')}})) TO ${sqlString(output)} (FORMAT parquet, COMPRESSION ${compression})`,
      );
      return await readFile(output);
    } finally {
      await Promise.all([rm(input, { force: true }), rm(output, { force: true })]);
    }
  }
}
