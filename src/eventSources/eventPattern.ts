import { isJsonObject, type JsonObject } from '../shared/jsonObject.js';

/**
 * Lambda's event filtering (EventBridge pattern syntax) for one record: every field of the pattern must match.
 * A pattern field is either a nested pattern (an object) or a list of alternatives: literals (string, number,
 * boolean, null), `{prefix}`, `{suffix}`, `{equals-ignore-case}`, `{anything-but: value | [values] | {prefix}}`,
 * `{numeric: ['>', 0, '<=', 5]}` and `{exists: boolean}`. An array in the record matches when any element does.
 * Numeric comparison also accepts numeric strings, as DynamoDB's `{ "N": "5" }` values are strings.
 *
 * @example
 * matchesPattern({ eventName: ['INSERT'] }, record); // true for INSERT records
 */
export function matchesPattern(pattern: JsonObject, record: unknown): boolean {
  for (const [field, rule] of Object.entries(pattern)) {
    const value = isJsonObject(record) ? record[field] : undefined;
    if (Array.isArray(rule)) {
      if (!matchesAlternatives(rule, value)) return false;
    } else if (isJsonObject(rule)) {
      if (value === undefined || !matchesPattern(rule, value)) return false;
    } else return false;
  }
  return true;
}

function matchesAlternatives(alternatives: readonly unknown[], value: unknown): boolean {
  return alternatives.some((alternative) => {
    if (isJsonObject(alternative) && 'exists' in alternative) return (value !== undefined) === alternative.exists;
    if (value === undefined) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((one) => matchesOne(alternative, one));
  });
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function matchesNumeric(conditions: readonly unknown[], value: unknown): boolean {
  const number = asNumber(value);
  if (number === undefined) return false;
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const bound = asNumber(conditions[i + 1]);
    if (bound === undefined) return false;
    const holds = {
      '=': number === bound,
      '<': number < bound,
      '<=': number <= bound,
      '>': number > bound,
      '>=': number >= bound,
    }[String(conditions[i])];
    if (holds !== true) return false;
  }
  return true;
}

function matchesOne(alternative: unknown, value: unknown): boolean {
  if (!isJsonObject(alternative)) return alternative === value;
  if (typeof alternative.prefix === 'string') return typeof value === 'string' && value.startsWith(alternative.prefix);
  if (typeof alternative.suffix === 'string') return typeof value === 'string' && value.endsWith(alternative.suffix);
  if (typeof alternative['equals-ignore-case'] === 'string')
    return typeof value === 'string' && value.toLowerCase() === alternative['equals-ignore-case'].toLowerCase();
  if (Array.isArray(alternative.numeric)) return matchesNumeric(alternative.numeric, value);
  if ('anything-but' in alternative) {
    const excluded = alternative['anything-but'];
    if (isJsonObject(excluded) && typeof excluded.prefix === 'string')
      return typeof value === 'string' && !value.startsWith(excluded.prefix);
    return !(Array.isArray(excluded) ? excluded : [excluded]).includes(value);
  }
  return false;
}
