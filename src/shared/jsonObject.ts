/** A parsed JSON value that is an object (not null, not an array). */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A JSON object as parsed (values not yet checked). */
export type JsonObject = Record<string, unknown>;
