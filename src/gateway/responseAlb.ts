import { STATUS_CODES } from 'node:http';
import { ALB } from '../model/awsLimits.js';
import { utf8SizeIfOver } from '../runtime/utf8Size.js';
import { isJsonObject } from '../shared/jsonObject.js';
import type { GatewayResponse } from './gatewayResponse.js';

/**
 * A Lambda target's answer to a load balancer: `statusCode` required; `headers`, or `multiValueHeaders` when the
 * target group enables them; a string `body` (base64 with `isBase64Encoded`). Undefined — a 502 — for anything
 * else, or for a response over 1 MB.
 */
export function responseAlb(payload: string, multiValueHeaders: boolean): GatewayResponse | undefined {
  if (utf8SizeIfOver(payload, ALB.maxPayloadBytes) !== undefined) return undefined;
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isJsonObject(result)) return undefined;
  const status = Number(result.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: [string, string][] = [];
  const source = multiValueHeaders ? result.multiValueHeaders : result.headers;
  if (source !== undefined && source !== null) {
    if (!isJsonObject(source)) return undefined;
    for (const [name, value] of Object.entries(source)) {
      if (multiValueHeaders) {
        if (!Array.isArray(value)) return undefined;
        for (const item of value) headers.push([name, String(item)]);
      } else headers.push([name, String(value)]);
    }
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return undefined;
  const text = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { status, headers, body };
}

/** A load balancer's own error page, e.g. `502 Bad Gateway`. */
export function albErrorPage(status: number): GatewayResponse {
  const title = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return { status, headers: [['content-type', 'text/html']], body: Buffer.from(html) };
}
