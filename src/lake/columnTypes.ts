/** A Glue column type, parsed. */
export type ColumnType =
  | { readonly kind: 'scalar'; readonly name: ScalarName }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'array'; readonly element: ColumnType }
  | { readonly kind: 'struct'; readonly fields: readonly (readonly [string, ColumnType])[] };

type ScalarName =
  | 'string'
  | 'bigint'
  | 'int'
  | 'smallint'
  | 'tinyint'
  | 'double'
  | 'float'
  | 'boolean'
  | 'timestamp'
  | 'date';

const SCALARS: readonly ScalarName[] = [
  'string',
  'bigint',
  'int',
  'smallint',
  'tinyint',
  'double',
  'float',
  'boolean',
  'timestamp',
  'date',
];

/** Splits `a:int,b:array<string>` at top-level commas. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') depth += 1;
    else if (c === '>' || c === ')') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** Parses `bigint`, `decimal(10,2)`, `array<string>`, `struct<a:int,b:array<double>>`. Throws on anything else. */
export function parseColumnType(text: string): ColumnType {
  const type = text.trim().toLowerCase();
  if ((SCALARS as readonly string[]).includes(type)) return { kind: 'scalar', name: type as ScalarName };
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type);
  if (decimal !== null) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  if (type.startsWith('array<') && type.endsWith('>'))
    return { kind: 'array', element: parseColumnType(type.slice(6, -1)) };
  if (type.startsWith('struct<') && type.endsWith('>')) {
    const fields = splitTopLevel(type.slice(7, -1)).map((field): [string, ColumnType] => {
      const colon = field.indexOf(':');
      if (colon <= 0) throw new Error(`a struct field needs name:type, got "${field}"`);
      return [field.slice(0, colon).trim(), parseColumnType(field.slice(colon + 1))];
    });
    return { kind: 'struct', fields };
  }
  throw new Error(`not a Glue column type: ${text}`);
}

const DUCKDB_SCALARS: Record<ScalarName, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  int: 'INTEGER',
  smallint: 'SMALLINT',
  tinyint: 'TINYINT',
  double: 'DOUBLE',
  float: 'FLOAT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

/** A column name quoted for SQL. */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The DuckDB type of a Glue type (what every Parquet file of the table is written with). */
export function duckDbType(type: ColumnType): string {
  switch (type.kind) {
    case 'scalar':
      return DUCKDB_SCALARS[type.name];
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'array':
      return `${duckDbType(type.element)}[]`;
    case 'struct':
      return `STRUCT(${type.fields.map(([n, t]) => `${quoteIdentifier(n)} ${duckDbType(t)}`).join(', ')})`;
  }
}

const INT_RANGES: Partial<Record<ScalarName, readonly [number, number]>> = {
  int: [-2_147_483_648, 2_147_483_647],
  smallint: [-32_768, 32_767],
  tinyint: [-128, 127],
};

/** The value as the column's type wants it, or an error message (OpenX JSON SerDe's leniency: numeric strings pass). */
export function coerceValue(
  type: ColumnType,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (value === null || value === undefined) return { ok: true, value: null };
  const fail = (what: string) => ({ ok: false as const, message: `${JSON.stringify(value)} is not ${what}` });
  switch (type.kind) {
    case 'decimal': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : fail(`a decimal`);
    }
    case 'array': {
      if (!Array.isArray(value)) return fail('an array');
      const out: unknown[] = [];
      for (const item of value) {
        const coerced = coerceValue(type.element, item);
        if (!coerced.ok) return coerced;
        out.push(coerced.value);
      }
      return { ok: true, value: out };
    }
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return fail('an object');
      const out: Record<string, unknown> = {};
      for (const [name, fieldType] of type.fields) {
        const coerced = coerceValue(fieldType, (value as Record<string, unknown>)[name]);
        if (!coerced.ok) return { ok: false, message: `${name}: ${coerced.message}` };
        out[name] = coerced.value;
      }
      return { ok: true, value: out };
    }
    case 'scalar':
      return coerceScalar(type.name, value, fail);
  }
}

function coerceScalar(
  name: ScalarName,
  value: unknown,
  fail: (what: string) => { ok: false; message: string },
): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (name) {
    case 'string':
      return typeof value === 'object' ? fail('a string') : { ok: true, value: String(value) };
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return fail('a boolean');
    case 'double':
    case 'float': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : fail('a number');
    }
    case 'timestamp': {
      // ISO-8601, or epoch seconds / milliseconds, as OpenX reads them.
      if (typeof value === 'number' && Number.isFinite(value))
        return { ok: true, value: new Date(value > 1e11 ? value : value * 1000).toISOString() };
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return { ok: true, value };
      return fail('a timestamp');
    }
    case 'date':
      return typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}/.test(value) &&
        !Number.isNaN(Date.parse(value.slice(0, 10)))
        ? { ok: true, value: value.slice(0, 10) }
        : fail('a date (yyyy-MM-dd)');
    default: {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return fail(`an integer (${name})`);
      const range = INT_RANGES[name];
      if (range !== undefined && (n < range[0] || n > range[1])) return fail(`within ${name}'s range`);
      return { ok: true, value: n };
    }
  }
}
