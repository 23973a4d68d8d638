/** A request as the gateway received it, before it becomes a Lambda event. */
export interface GatewayRequest {
  readonly method: string;
  /** The path as sent (not decoded). */
  readonly rawPath: string;
  /** The query string without `?`, as sent. */
  readonly rawQueryString: string;
  /** Header pairs in arrival order, names as sent (REST keeps their case; HTTP APIs lowercase them). */
  readonly headers: readonly (readonly [string, string])[];
  /** The body; empty when it was over API Gateway's limit (then `bodyBytes` says how big it was). */
  readonly body: Buffer;
  /** Bytes received, when more than were kept in `body`. */
  readonly bodyBytes?: number;
  readonly sourceIp: string;
  readonly protocol: string;
  readonly requestId: string;
  readonly receivedAt: number;
}

/** Media types whose bodies reach the function as text; others arrive base64-encoded. */
export function isTextBody(headers: readonly (readonly [string, string])[]): boolean {
  const type = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  const encoded = headers.some(([name, value]) => name.toLowerCase() === 'content-encoding' && value !== 'identity');
  return !encoded && (type === '' || /^text\/|json|xml|javascript|x-www-form-urlencoded|graphql|yaml/i.test(type));
}

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestTime format. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Query parameters in order, decoded (`+` as space), repeated names kept. */
export function queryPairs(rawQueryString: string): [string, string][] {
  return [...new URLSearchParams(rawQueryString)];
}
