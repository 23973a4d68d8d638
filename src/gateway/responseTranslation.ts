import { isJsonObject } from '../shared/jsonObject.js';
import type { GatewayResponse } from './gatewayResponse.js';

const UNPARSABLE = Symbol('unparsable');

/** The function's result as JSON, or UNPARSABLE (a gateway cannot use it). */
function parsed(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return UNPARSABLE;
  }
}

function bodyOf(body: unknown, base64: unknown): Buffer | undefined {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== 'string') return undefined;
  return base64 === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function singleHeaders(headers: unknown): [string, string][] | undefined {
  if (headers === undefined || headers === null) return [];
  if (!isJsonObject(headers)) return undefined;
  return Object.entries(headers).map(([name, value]) => [name, String(value)]);
}

/**
 * Payload 2.0's response rules: an object with `statusCode` is a full response (`headers`, `cookies` as
 * Set-Cookie, `body`, `isBase64Encoded`); anything else that is valid JSON — an object without `statusCode`, a
 * string, a number — becomes a 200 `application/json` response whose body is the JSON text (a string is sent
 * as it is). Undefined when the result cannot be used (the caller answers the integration error).
 */
export function responseV2(payload: string): GatewayResponse | undefined {
  const result = parsed(payload);
  if (result === UNPARSABLE) return undefined;
  if (!isJsonObject(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : payload;
    return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body) };
  }
  const status = Number(result.statusCode);
  const headers = singleHeaders(result.headers);
  const body = bodyOf(
    typeof result.body === 'object' && result.body !== null ? JSON.stringify(result.body) : result.body,
    result.isBase64Encoded,
  );
  if (!Number.isInteger(status) || status < 100 || status > 599 || headers === undefined || body === undefined)
    return undefined;
  const cookies = Array.isArray(result.cookies)
    ? result.cookies.map((c): [string, string] => ['set-cookie', String(c)])
    : [];
  return { status, headers: [...headers, ...cookies], body };
}

/**
 * Payload 1.0's response (REST proxy integrations): `statusCode` is required; `headers` and
 * `multiValueHeaders` are merged, the multi-value ones winning on duplicates; `body` must be a string.
 * Undefined for anything else (REST answers 502).
 */
export function responseV1(payload: string): GatewayResponse | undefined {
  const result = parsed(payload);
  if (!isJsonObject(result)) return undefined;
  const status = Number(result.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const single = singleHeaders(result.headers);
  const multi = result.multiValueHeaders;
  if (single === undefined || (multi !== undefined && multi !== null && !isJsonObject(multi))) return undefined;
  const multiNames = new Set(Object.keys(isJsonObject(multi) ? multi : {}).map((n) => n.toLowerCase()));
  const headers: [string, string][] = single.filter(([name]) => !multiNames.has(name.toLowerCase()));
  for (const [name, values] of Object.entries(isJsonObject(multi) ? multi : {})) {
    if (!Array.isArray(values)) return undefined;
    for (const value of values) headers.push([name, String(value)]);
  }
  const body = bodyOf(result.body, result.isBase64Encoded);
  if (body === undefined) return undefined;
  return { status, headers, body };
}
