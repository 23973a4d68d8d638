import type { JsonObject } from '../shared/jsonObject.js';

/** A DynamoDB item in attribute-value JSON (`{ "id": { "S": "o-1" } }`). */
export type Item = JsonObject;

/** A table's key attribute names: partition key first, then the sort key if any. */
export type KeyNames = readonly string[];

/** The key attributes of an item (or undefined when one is missing, which the engine will refuse). */
export function keyOf(item: Item, keyNames: KeyNames): Item | undefined {
  const key: Item = {};
  for (const name of keyNames) {
    const value = item[name];
    if (value === undefined) return undefined;
    key[name] = value;
  }
  return key;
}

/** A stable identity for an item of a table, for locking. */
export const itemIdentity = (table: string, key: Item, keyNames: KeyNames): string =>
  `${table}\u0000${JSON.stringify(keyNames.map((name) => key[name]))}`;

/** Canonical JSON: object keys sorted and sets (SS, NS, BS) sorted, so equal items serialise equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const object = value as JsonObject;
  const out: JsonObject = {};
  for (const name of Object.keys(object).sort()) {
    const member = object[name];
    out[name] =
      (name === 'SS' || name === 'NS' || name === 'BS') && Array.isArray(member)
        ? [...(member as string[])].sort()
        : canonical(member);
  }
  return out;
}

/** True when a write left the item as it was (no stream record is written for it). */
export const sameItem = (a: Item | undefined, b: Item | undefined): boolean =>
  a === undefined || b === undefined ? a === b : JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
