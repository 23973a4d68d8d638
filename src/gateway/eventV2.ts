import { LOCAL_ACCOUNT_ID } from '../runtime/functionArn.js';
import type { AuthorizerOutput } from './auth/routeAuthorizer.js';
import { type GatewayRequest, isTextBody, queryPairs, requestTime } from './gatewayRequest.js';
import type { RouteMatch } from './routeTable.js';

/** `requestContext.authorizer` in payload 2.0: `{ jwt: { claims, scopes } }` or `{ lambda: context }`. */
function authorizerV2(output: AuthorizerOutput): Record<string, unknown> {
  return output.kind === 'jwt' ? { jwt: { claims: output.claims, scopes: output.scopes } } : { lambda: output.context };
}

/**
 * The payload format 2.0 event an HTTP API sends: lowercase headers with repeated values comma-joined,
 * cookies in their own array, comma-joined query values, `rawPath`/`rawQueryString`, and optional keys left out
 * when empty.
 */
export function eventV2(
  request: GatewayRequest,
  match: RouteMatch,
  api: { apiId: string; stage: string },
  authorizer?: AuthorizerOutput,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of queryPairs(request.rawQueryString))
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const domainName = headers.host ?? 'localhost';
  const text = isTextBody(request.headers);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length === 0 ? {} : { cookies }),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: api.apiId,
      ...(authorizer === undefined ? {} : { authorizer: authorizerV2(authorizer) }),
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: match.routeKey,
      stage: api.stage,
      time: requestTime(request.receivedAt),
      timeEpoch: request.receivedAt,
    },
    ...(match.pathParameters === undefined ? {} : { pathParameters: match.pathParameters }),
    isBase64Encoded: request.body.length > 0 && !text,
  };
  if (request.body.length > 0) event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
  return event;
}
