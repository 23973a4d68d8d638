import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckDbType, parseColumnType, quoteIdentifier } from '../lake/columnTypes.js';
import type { Lake, LakeTable } from '../model/lakeSchema.js';
import { type Clock, SystemClock } from '../shared/clock.js';
import { isTributaryError, TributaryError } from '../shared/tributaryError.js';
import {
  astNodes,
  cteNamesOf,
  type GuardedQuery,
  guardQuery,
  invalidQuery,
  sqlLiteral,
  type TableReference,
} from './sqlGuard.js';
import { type TableFile, tableFiles } from './tableFiles.js';

/** A result: column names and DuckDB types, and every value as text (`null` for SQL NULL), as Athena returns them. */
export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly (string | null)[])[];
  readonly scannedBytes: number;
  readonly engineMs: number;
}

/** Who runs a query: the tables it may read (`*` for all). Undefined grants mean an app without `access`. */
export interface QueryPrincipal {
  readonly name: string;
  readonly tables: readonly string[] | undefined;
}

export interface RunOptions {
  readonly database: string;
  readonly principal: QueryPrincipal;
  readonly timeoutMs: number;
  readonly maxScannedBytes?: number;
  /** Aborting interrupts the running statement (StopQueryExecution). */
  readonly signal?: AbortSignal;
  /** The statement as `prepare` checked it, so it is not parsed twice. */
  readonly guarded?: GuardedQuery;
}

/** More rows than this fail the query rather than fill memory. */
const MAX_RESULT_ROWS = 1_000_000;

export const accessDenied = (message: string): TributaryError =>
  new TributaryError('ERR_ACCESS_DENIED', message, { aws: { status: 400, type: 'AccessDeniedException' } });

/** A catalog table resolved for one query: its view name in the sandbox and its files now. */
interface ResolvedTable {
  readonly key: string;
  readonly viewName: string;
  readonly table: LakeTable;
  readonly files: readonly TableFile[];
}

/**
 * SQL over the lake's tables with DuckDB, sandboxed. A query passes the guard (one read-only statement, catalog
 * tables only), then the principal's grants (AccessDeniedException before anything runs). It executes in a DuckDB
 * instance whose file access is limited to the lake's bucket folders and whose configuration is locked, on a
 * connection of its own, where each named table is a temporary view over the table's current files (found without
 * following symbolic links). The statement run is the one DuckDB's parser produced from the query, with table names
 * rewritten to those views — never the caller's text. Each query has a timeout, a memory limit and can be
 * interrupted.
 *
 * @example
 * const engine = await QueryEngine.start({ lake, s3Root: '.tributary/s3' });
 * const result = await engine.run('SELECT dept, count(*) FROM hr_events GROUP BY 1', options);
 */
export class QueryEngine {
  private readonly lake: Lake;
  private readonly s3Root: string;
  private readonly parser: { instance: DuckDBInstance; connection: DuckDBConnection };
  private readonly sandbox: DuckDBInstance;
  private readonly clock: Clock;

  private constructor(
    lake: Lake,
    s3Root: string,
    parser: { instance: DuckDBInstance; connection: DuckDBConnection },
    sandbox: DuckDBInstance,
    clock: Clock,
  ) {
    this.lake = lake;
    this.s3Root = s3Root;
    this.parser = parser;
    this.sandbox = sandbox;
    this.clock = clock;
  }

  static async start(options: {
    lake: Lake;
    s3Root: string;
    threads?: number;
    /** DuckDB's memory limit for the sandbox (every query shares it). */
    memoryLimitMB?: number;
    /** Query timeouts run on it (default the system clock). */
    clock?: Clock;
  }): Promise<QueryEngine> {
    const parserInstance = await DuckDBInstance.create(':memory:');
    const parserConnection = await parserInstance.connect();
    await parserConnection.run('SET enable_external_access = false; SET lock_configuration = true');
    const sandbox = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      ...(options.threads === undefined ? {} : { threads: String(options.threads) }),
    });
    const setup = await sandbox.connect();
    const buckets = [...new Set(Object.values(options.lake.tables).map((t) => t.bucket))];
    const dirs = buckets.map((b) => `${join(options.s3Root, b)}/`);
    await setup.run(
      [
        `SET allowed_directories = [${dirs.map(sqlLiteral).join(', ')}]`,
        `SET memory_limit = '${Math.floor(options.memoryLimitMB ?? 2048)}MB'`,
        'SET enable_external_access = false',
        'SET lock_configuration = true',
      ].join('; '),
    );
    setup.closeSync();
    return new QueryEngine(
      options.lake,
      options.s3Root,
      { instance: parserInstance, connection: parserConnection },
      sandbox,
      options.clock ?? new SystemClock(),
    );
  }

  /**
   * Checks a query without running it (what the Athena service does before queueing): the guard and the grants.
   * Files are listed only when it runs, since they may change while it waits.
   */
  async prepare(text: string, database: string, principal: QueryPrincipal): Promise<PreparedQuery> {
    const guarded = await guardQuery(this.parser.connection, text);
    return { guarded, tables: guarded.tables.map((ref) => this.catalogTable(ref, database, principal).key) };
  }

  async run(text: string, options: RunOptions): Promise<QueryResult> {
    const started = performance.now();
    const guarded = options.guarded ?? (await guardQuery(this.parser.connection, text));
    const tables = new Map<string, ResolvedTable>();
    for (const ref of guarded.tables) {
      const resolved = this.resolve(ref, options.database, options.principal);
      tables.set(resolved.key, resolved);
    }
    const scannedBytes = [...tables.values()].reduce((n, t) => n + sum(t.files), 0);
    if (options.maxScannedBytes !== undefined && scannedBytes > options.maxScannedBytes)
      throw invalidQuery(
        `Query exhausted resources at this scale factor: it would scan ${scannedBytes} bytes, over the workgroup's limit of ${options.maxScannedBytes}`,
      );
    const sql = await this.rewrite(guarded, options.database);

    const connection = await this.sandbox.connect();
    let timedOut = false;
    const interrupt = (): void => connection.interrupt();
    // On the injected clock: a timeout that fires before the statement starts still stops it (checked below).
    const timer = this.clock.setTimer(options.timeoutMs, () => {
      timedOut = true;
      interrupt();
    });
    options.signal?.addEventListener('abort', interrupt);
    try {
      for (const table of tables.values()) await connection.run(viewSql(table));
      if (options.signal?.aborted === true || timedOut) throw new Error('INTERRUPT');
      const reader = await connection.runAndReadAll(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes().map(String);
      const raw = reader.getRows();
      if (raw.length > MAX_RESULT_ROWS)
        throw invalidQuery(`The result has more than ${MAX_RESULT_ROWS} rows; aggregate or add LIMIT`);
      const rows = raw.map((row) => row.map((v) => (v === null ? null : typeof v === 'string' ? v : String(v))));
      return {
        columns: names.map((name, i) => ({ name, type: types[i] ?? 'VARCHAR' })),
        rows,
        scannedBytes,
        engineMs: performance.now() - started,
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (options.signal?.aborted === true) throw new TributaryError('ERR_QUERY_REFUSED', 'Query cancelled');
      if (/INTERRUPT/i.test(message)) throw invalidQuery(`Query timeout: it ran longer than ${options.timeoutMs} ms`);
      if (isTributaryError(error)) throw error;
      throw invalidQuery(message.split('\n')[0] ?? message);
    } finally {
      timer.cancel();
      options.signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
    }
  }

  close(): void {
    this.parser.connection.closeSync();
    this.parser.instance.closeSync();
    this.sandbox.closeSync();
  }

  /** A table reference as a catalog table the principal may read; AccessDeniedException or not found otherwise. */
  private catalogTable(
    ref: TableReference,
    database: string,
    principal: QueryPrincipal,
  ): { key: string; viewName: string; table: LakeTable } {
    const db = ref.database ?? database;
    const table = this.lake.tables[ref.name];
    if (table === undefined || table.database !== db)
      throw invalidQuery(`Table ${db}.${ref.name} does not exist (tables: ${this.tableNames().join(', ') || 'none'})`);
    const key = `${db}.${ref.name}`;
    const grants = principal.tables;
    if (grants !== undefined && !grants.includes('*') && !grants.includes(key) && !grants.includes(ref.name))
      throw accessDenied(`${principal.name} is not allowed to read ${key}`);
    return { key, viewName: `__tributary_${db}_${ref.name}`, table };
  }

  /** The catalog table with its files now. */
  private resolve(ref: TableReference, database: string, principal: QueryPrincipal): ResolvedTable {
    const resolved = this.catalogTable(ref, database, principal);
    const { table } = resolved;
    const files = tableFiles(
      join(this.s3Root, table.bucket),
      table.prefix,
      table.format === 'parquet' ? '.parquet' : '',
    );
    return { ...resolved, files };
  }

  private tableNames(): string[] {
    return Object.entries(this.lake.tables).map(([name, t]) => `${t.database}.${name}`);
  }

  /** DuckDB's own rendering of the guarded AST, with every catalog table renamed to its per-query view. */
  private async rewrite(guarded: GuardedQuery, database: string): Promise<string> {
    const ast = structuredClone(guarded.ast);
    const explain = guarded.explain;
    const ctes = cteNamesOf(ast.statements);
    for (const o of astNodes(ast.statements)) {
      if (o.type !== 'BASE_TABLE') continue;
      const schema = String(o.schema_name ?? '').toLowerCase();
      const name = String(o.table_name ?? '').toLowerCase();
      if (schema === '' && ctes.has(name)) continue;
      o.table_name = `__tributary_${schema === '' ? database : schema}_${name}`;
      o.schema_name = '';
      o.catalog_name = '';
    }
    const back = await this.parser.connection.runAndReadAll(
      `SELECT json_deserialize_sql(${sqlLiteral(JSON.stringify(ast).replace(/"__u64_(\d+)"/g, '$1'))})`,
    );
    const rewritten = String(back.getRows()[0]?.[0] ?? '');
    return explain ? `EXPLAIN ${rewritten}` : rewritten;
  }
}

/** What `prepare` learned: the guarded statement and the tables (`database.name`) it reads. */
export interface PreparedQuery {
  readonly guarded: GuardedQuery;
  readonly tables: readonly string[];
}

const sum = (files: readonly TableFile[]): number => files.reduce((n, f) => n + f.bytes, 0);

/** The per-query view of a table: its files read with the table's types, partitions from `key=value/` paths. */
function viewSql(resolved: ResolvedTable): string {
  const { table, files, viewName } = resolved;
  const columns = Object.entries(table.columns).map(
    ([name, type]) => [name, duckDbType(parseColumnType(type))] as const,
  );
  const partitions = Object.entries(table.partitionKeys).map(
    ([name, type]) => [name, type === 'string' ? 'VARCHAR' : type === 'int' ? 'INTEGER' : type.toUpperCase()] as const,
  );
  const view = `CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(viewName)} AS `;
  if (files.length === 0) {
    const empty = [...columns, ...partitions].map(
      ([name, type]) => `CAST(NULL AS ${type}) AS ${quoteIdentifier(name)}`,
    );
    return `${view}SELECT ${empty.join(', ')} WHERE false`;
  }
  const list = `[${files.map((f) => sqlLiteral(f.path)).join(', ')}]`;
  const hive =
    partitions.length === 0
      ? 'hive_partitioning = false'
      : `hive_partitioning = true, hive_types = {${partitions.map(([n, t]) => `${quoteIdentifier(n)}: ${sqlLiteral(t)}`).join(', ')}}`;
  const select = [...columns, ...partitions].map(([name]) => quoteIdentifier(name)).join(', ');
  if (table.format === 'parquet')
    return `${view}SELECT ${select} FROM read_parquet(${list}, union_by_name = true, ${hive})`;
  const spec = columns.map(([name, type]) => `${quoteIdentifier(name)}: ${sqlLiteral(type)}`).join(', ');
  return `${view}SELECT ${select} FROM read_json(${list}, format = 'newline_delimited', columns = {${spec}}, ${hive})`;
}
