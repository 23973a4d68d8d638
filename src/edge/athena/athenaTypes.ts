/** Athena's ColumnInfo for a DuckDB type: its type name, precision and scale. */
export function athenaColumnType(duckType: string): { type: string; precision: number; scale: number } {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckType);
  if (decimal !== null) return { type: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  if (duckType.endsWith('[]')) return { type: 'array', precision: 0, scale: 0 };
  if (duckType.startsWith('STRUCT')) return { type: 'row', precision: 0, scale: 0 };
  const map: Record<string, [string, number]> = {
    BIGINT: ['bigint', 19],
    HUGEINT: ['bigint', 19],
    INTEGER: ['integer', 10],
    SMALLINT: ['smallint', 5],
    TINYINT: ['tinyint', 3],
    DOUBLE: ['double', 17],
    FLOAT: ['float', 17],
    BOOLEAN: ['boolean', 0],
    DATE: ['date', 0],
    TIMESTAMP: ['timestamp', 3],
    'TIMESTAMP WITH TIME ZONE': ['timestamp with time zone', 3],
    VARCHAR: ['varchar', 2147483647],
  };
  const [type, precision] = map[duckType] ?? ['varchar', 2147483647];
  return { type, precision, scale: 0 };
}
