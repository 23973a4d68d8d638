import type { DuckDBConnection } from '@duckdb/node-api';
import { ATHENA } from '../model/awsLimits.js';
import { TributaryError } from '../shared/tributaryError.js';

/** A table a query names: `database.table` or just `table` (resolved against the query's database). */
export interface TableReference {
  readonly database: string | undefined;
  readonly name: string;
}

/** A statement that passed the guard: exactly one read-only query and the catalog tables it reads. */
export interface GuardedQuery {
  /** The statement to run (`EXPLAIN` kept when asked for). */
  readonly sql: string;
  readonly explain: boolean;
  readonly tables: readonly TableReference[];
  /** DuckDB's parse of the statement (64-bit numbers kept as `"__u64_<digits>"` text), for the rewrite. */
  readonly ast: { readonly statements: unknown[] };
}

/** Deeper nesting than this is refused before parsing (a parser's recursion is not an attack surface we offer). */
const MAX_NESTING = 128;

/**
 * Functions that read files, reach the network, reveal or change configuration, or run SQL given as data. The
 * sandbox refuses file access outside the query's tables anyway; refusing them here says why, and is a second wall.
 */
const FORBIDDEN_FUNCTION =
  /^(read_|glob$|sniff_csv$|getenv$|current_setting$|duckdb_|pragma_|parquet_|iceberg_|delta_|sqlite_|postgres_|mysql_|query$|query_table$|which_secret$|load_|install_|json_execute_serialized_sql$|st_read|excel_|http_|s3_|from_json_sql|json_deserialize_sql|json_serialize_sql|enable_|disable_|set_|checkpoint$|force_checkpoint$|summary$|repeat_row$)/i;

export const invalidQuery = (message: string): TributaryError =>
  new TributaryError('ERR_QUERY_REFUSED', message, { aws: { status: 400, type: 'InvalidRequestException' } });

/** Parenthesis depth outside string literals, quoted identifiers and comments. */
function nestingDepth(sql: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '(') max = Math.max(max, ++depth);
    else if (c === ')') depth -= 1;
  }
  return max;
}

/** Every object in the serialized AST, depth first. */
export function* astNodes(value: unknown): Generator<Record<string, unknown>> {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) stack.push(...item);
    else if (item !== null && typeof item === 'object') {
      yield item as Record<string, unknown>;
      stack.push(...Object.values(item));
    }
  }
}

/**
 * The query gate: DuckDB's own parser (`json_serialize_sql`, which serializes SELECT statements only) decides what
 * the text is, so comments and string literals cannot hide a second statement. Accepted: exactly one SELECT (with
 * WITH, set operations, subqueries), optionally behind EXPLAIN. Refused: anything else — COPY, ATTACH, INSTALL/LOAD,
 * SET/PRAGMA, EXPORT, several statements — table functions (read_csv, read_parquet, glob, …), file paths used as
 * tables, and forbidden functions.
 *
 * @example
 * const { tables } = await guardQuery(parser, 'SELECT dept, count(*) FROM hr.events GROUP BY 1');
 */
export async function guardQuery(parser: DuckDBConnection, text: string): Promise<GuardedQuery> {
  if (Buffer.byteLength(text) > ATHENA.maxQueryBytes)
    throw invalidQuery(`The query is longer than ${ATHENA.maxQueryBytes} bytes`);
  if (nestingDepth(text) > MAX_NESTING) throw invalidQuery(`The query is nested more than ${MAX_NESTING} levels deep`);
  let body = text.trim().replace(/;\s*$/, '');
  const explainMatch = /^explain(\s+analyze)?\s+/i.exec(body);
  if (explainMatch !== null) body = body.slice(explainMatch[0].length);

  const serialized = await parser.runAndReadAll(`SELECT json_serialize_sql(${sqlLiteral(body)})`);
  // 64-bit numbers (query_location's "none" is 2^64-1) would lose precision as JS numbers: keep them as text.
  const text64 = String(serialized.getRows()[0]?.[0] ?? '{}').replace(/:(\d{16,})/g, ':"__u64_$1"');
  const ast = JSON.parse(text64) as {
    error?: boolean;
    error_message?: string;
    statements?: unknown[];
  };
  if (ast.error === true)
    throw invalidQuery(
      /Only SELECT/i.test(ast.error_message ?? '')
        ? 'Only one read-only statement (SELECT, WITH or EXPLAIN) may run'
        : `The query is not valid SQL: ${ast.error_message ?? 'parse error'}`,
    );
  if (ast.statements?.length !== 1) throw invalidQuery('Exactly one statement may run');

  const cteNames = cteNamesOf(ast.statements);
  const tables: TableReference[] = [];
  for (const node of astNodes(ast.statements)) {
    if (node.type === 'TABLE_FUNCTION' || node.type === 'EXPRESSION_LIST_REF_FILE')
      throw invalidQuery('Table functions are not allowed: query the catalog tables by name');
    if (node.type === 'BASE_TABLE') {
      const name = String(node.table_name ?? '');
      const schema = String(node.schema_name ?? '');
      const catalog = String(node.catalog_name ?? '');
      if (/[/\\.]/.test(name) && schema === '') throw invalidQuery(`"${name}" is a file path, not a table`);
      if (catalog !== '' && catalog.toLowerCase() !== 'awsdatacatalog' && catalog.toLowerCase() !== 'memory')
        throw invalidQuery(`Unknown catalog "${catalog}"`);
      if (schema === '' && cteNames.has(name.toLowerCase())) continue;
      tables.push({ database: schema === '' ? undefined : schema.toLowerCase(), name: name.toLowerCase() });
    }
    if (
      node.class === 'FUNCTION' &&
      typeof node.function_name === 'string' &&
      FORBIDDEN_FUNCTION.test(node.function_name)
    )
      throw invalidQuery(`The function ${node.function_name} is not allowed`);
  }
  return {
    sql: explainMatch === null ? body : `EXPLAIN ${body}`,
    explain: explainMatch !== null,
    tables,
    ast: { statements: ast.statements },
  };
}

export const sqlLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** The names the statement's WITH clauses define (lowercase): table references to them are not catalog tables. */
export function cteNamesOf(statements: unknown): Set<string> {
  const names = new Set<string>();
  for (const node of astNodes(statements)) {
    const map = (node.cte_map as { map?: { key?: string }[] } | undefined)?.map;
    for (const entry of map ?? []) if (typeof entry.key === 'string') names.add(entry.key.toLowerCase());
  }
  return names;
}
