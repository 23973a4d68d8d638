import type { QueryResult } from './queryEngine.js';

/** A CSV field as Athena writes results: every field quoted, quotes doubled; NULL as an empty field. */
const field = (value: string | null): string => (value === null ? '' : `"${value.replaceAll('"', '""')}"`);

/** The whole result as Athena's CSV: a header row of column names, then one line per row. */
export function resultCsv(result: QueryResult): string {
  const lines = [result.columns.map((c) => field(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map(field).join(','));
  return `${lines.join('\n')}\n`;
}
