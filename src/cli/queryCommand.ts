import { join } from 'node:path';
import { principalNamed } from '../access/principals.js';
import { resolveDataDir } from '../dev/devSession.js';
import { loadApp } from '../model/loadApp.js';
import { QueryEngine, type QueryResult } from '../query/queryEngine.js';
import { resultCsv } from '../query/resultCsv.js';
import { TributaryError } from '../shared/tributaryError.js';

export interface QueryCommandOptions {
  readonly app: string;
  readonly dataDir?: string;
  readonly principal?: string;
  readonly database: string;
  readonly format: 'table' | 'csv' | 'json';
  readonly timeout: number;
}

/** The query from standard input (`tributary query -`), for statements too long for a command line. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Columns padded to their widest value; NULL shown as NULL. */
function asTable(result: QueryResult): string {
  const header = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) => row.map((v) => v ?? 'NULL'));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function asJson(result: QueryResult): string {
  return JSON.stringify(
    result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i] ?? null]))),
    null,
    2,
  );
}

/**
 * `tributary query "<sql>"`: runs one query over the app's lake tables with the same engine, guard and grants as
 * the Athena API, reading the files in place (a running `tributary dev` is not needed). `--principal` applies that
 * principal's grants. A progress line appears on stderr for queries that take over a second.
 */
export async function queryCommand(sqlArgument: string, options: QueryCommandOptions): Promise<number> {
  const sql = sqlArgument === '-' ? await readStdin() : sqlArgument;
  const dataDir = resolveDataDir(options.app, options.dataDir);
  const app = await loadApp(options.app, { buildDir: join(dataDir, 'build') });
  const lake = app.model.lake;
  if (lake === undefined || Object.keys(lake.tables).length === 0)
    throw new TributaryError('ERR_INVALID_ARGUMENT', 'The app has no lake.tables to query', {
      hint: 'Declare tables under lake.tables in tributary.config.ts.',
    });
  let principal: { name: string; tables: readonly string[] | undefined } = { name: 'cli', tables: undefined };
  if (options.principal !== undefined) {
    const named = principalNamed(app.model.access, options.principal);
    if (named === undefined)
      throw new TributaryError('ERR_INVALID_ARGUMENT', `No principal named ${options.principal} in access.principals`, {
        hint: `Principals: ${Object.keys(app.model.access?.principals ?? {}).join(', ') || 'none'}.`,
      });
    principal = { name: named.name, tables: named.tables };
  }
  const engine = await QueryEngine.start({ lake, s3Root: join(dataDir, 's3') });
  const started = Date.now();
  const progress = setInterval(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (process.stderr.isTTY) process.stderr.write(`\rrunning… ${seconds} s`);
    else console.error(`running… ${seconds} s`);
  }, 1000);
  try {
    const result = await engine.run(sql, {
      database: options.database,
      principal,
      timeoutMs: options.timeout * 1000,
    });
    clearInterval(progress);
    if (process.stderr.isTTY && Date.now() - started >= 1000) process.stderr.write('\r\x1b[K');
    if (options.format === 'csv') process.stdout.write(resultCsv(result));
    else console.log(options.format === 'json' ? asJson(result) : asTable(result));
    console.error(
      `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}, ${result.scannedBytes} bytes scanned, ${Math.round(result.engineMs)} ms`,
    );
    return 0;
  } finally {
    clearInterval(progress);
    engine.close();
  }
}
