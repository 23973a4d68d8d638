import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** The lake section the query tests share: two departments' tables over one bucket, and a workgroup. */
export const queryLake = {
  buckets: ['lake', 'results'],
  tables: {
    hr_events: {
      database: 'hr',
      bucket: 'lake',
      prefix: 'departments/dept=hr/',
      columns: { id: 'bigint', type: 'string', amount: 'double' },
      partitionKeys: { dt: 'date' },
    },
    finance_events: {
      database: 'finance',
      bucket: 'lake',
      prefix: 'departments/dept=finance/',
      columns: { id: 'bigint', type: 'string', amount: 'double' },
      partitionKeys: { dt: 'date' },
    },
    empty_events: {
      database: 'hr',
      bucket: 'lake',
      prefix: 'nothing-yet/',
      columns: { id: 'bigint' },
    },
  },
  workgroups: { primary: { outputLocation: 's3://results/athena/' } },
};

/** Access for the tests: each department reads only its own table. */
export const queryAccess = {
  principals: {
    hr: { accessKeyIds: ['AKIAHRDEPARTMENT01'], apiKeys: ['hr-api-key-0123456789abcdef'], tables: ['hr.hr_events'] },
    finance: { accessKeyIds: ['AKIAFINANCEDEPT001'], tables: ['finance.finance_events'] },
    admin: { accessKeyIds: ['AKIAADMINISTRATOR1'], tables: ['*'], read: ['results/', 'lake/'] },
  },
};

/**
 * Writes the tables' Parquet files where the object store keeps bucket `lake` (`<s3Root>/lake/...`): hr 3 rows on
 * two days, finance 2 rows; plus a secret file outside every table, and a symbolic link to it inside hr's prefix.
 */
export async function writeQueryData(s3Root: string, rows = { hr: 3, finance: 2 }): Promise<string> {
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  const write = async (dept: string, dt: string, first: number, count: number): Promise<void> => {
    const dir = join(s3Root, 'lake', 'departments', `dept=${dept}`, `dt=${dt}`);
    mkdirSync(dir, { recursive: true });
    await connection.run(
      `COPY (SELECT (${first} + i)::BIGINT AS id, '${dept}-' || i AS type, (i * 1.5)::DOUBLE AS amount FROM range(${count}) t(i)) TO '${join(dir, `part-${first}.parquet`)}' (FORMAT parquet)`,
    );
  };
  await write('hr', '2026-12-01', 0, rows.hr - 1);
  await write('hr', '2026-12-02', 100, 1);
  await write('finance', '2026-12-01', 200, rows.finance);
  connection.closeSync();
  duck.closeSync();
  const secret = join(s3Root, '..', 'secret.csv');
  writeFileSync(secret, 'password\nhunter2\n');
  return secret;
}
