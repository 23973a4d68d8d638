import { isUtf8 } from 'node:buffer';

/**
 * Extracts dynamic-partitioning keys from a JSON record with JQ-style paths (`.dept`, `.meta.region`). Undefined
 * when the record is not a JSON object or a key is missing or not a scalar — Firehose sends such records to the
 * error prefix.
 */
export function extractPartitionKeys(
  record: Buffer,
  paths: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  if (!isUtf8(record)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.toString('utf8'));
  } catch {
    return undefined;
  }
  const keys: Record<string, string> = {};
  for (const [name, path] of Object.entries(paths)) {
    let value: unknown = parsed;
    for (const field of path.slice(1).split('.')) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      value = (value as Record<string, unknown>)[field];
    }
    if (typeof value === 'string' && value !== '') keys[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') keys[name] = String(value);
    else return undefined;
  }
  return keys;
}
