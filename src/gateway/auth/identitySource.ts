import { type GatewayRequest, queryPairs } from '../gatewayRequest.js';

/** What `$context.<name>` identity sources can read. */
export interface IdentityContext {
  readonly routeKey: string;
  readonly stage: string;
}

/**
 * The value an identity source selects from a request: `$request.header.<name>` (case-insensitive, repeated
 * headers comma-joined), `$request.querystring.<name>` (repeated values comma-joined), or `$context.<name>`.
 * Undefined when the request does not carry it (API Gateway then answers 401 without calling the authorizer).
 * `$stageVariables` select nothing: local stages have no variables.
 */
export function identityValue(source: string, request: GatewayRequest, context: IdentityContext): string | undefined {
  const header = /^\$request\.header\.(.+)$/.exec(source)?.[1];
  if (header !== undefined) {
    const values = request.headers.filter(([name]) => name.toLowerCase() === header.toLowerCase()).map(([, v]) => v);
    return values.length === 0 || values.every((v) => v === '') ? undefined : values.join(',');
  }
  const query = /^\$request\.querystring\.(.+)$/.exec(source)?.[1];
  if (query !== undefined) {
    const values = queryPairs(request.rawQueryString)
      .filter(([name]) => name === query)
      .map(([, v]) => v);
    return values.length === 0 ? undefined : values.join(',');
  }
  const contextKey = /^\$context\.(.+)$/.exec(source)?.[1];
  switch (contextKey) {
    case 'routeKey':
      return context.routeKey;
    case 'stage':
      return context.stage;
    case 'httpMethod':
    case 'http.method':
      return request.method;
    case 'identity.sourceIp':
    case 'http.sourceIp':
      return request.sourceIp;
    case 'requestId':
      return request.requestId;
    default:
      return undefined;
  }
}
