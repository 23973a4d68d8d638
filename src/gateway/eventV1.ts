import { LOCAL_ACCOUNT_ID } from '../runtime/functionArn.js';
import type { AuthorizerOutput } from './auth/routeAuthorizer.js';
import { type GatewayRequest, isTextBody, queryPairs, requestTime } from './gatewayRequest.js';
import type { RouteMatch } from './routeTable.js';

/** What payload 1.0 adds for an authorised request: the authorizer's output and the API key used. */
export interface RequestAuthV1 {
  readonly authorizer?: AuthorizerOutput;
  readonly apiKey?: { readonly id: string; readonly value: string };
}

/** `requestContext.authorizer` in payload 1.0: JWT `{ claims, scopes }`, or the Lambda context with principalId. */
function authorizerV1(output: AuthorizerOutput): Record<string, unknown> {
  return output.kind === 'jwt'
    ? { claims: output.claims, scopes: output.scopes }
    : {
        ...output.context,
        ...(output.principalId === undefined ? {} : { principalId: output.principalId }),
        integrationLatency: 0,
      };
}

/**
 * The payload format 1.0 event (REST API proxy integration, or an HTTP API set to 1.0): single- and multi-value
 * maps of headers and query parameters (the last value wins in the single map), `resource`, `path`, absent maps
 * as `null`. REST keeps header names as sent; HTTP APIs lowercase them.
 */
export function eventV1(
  request: GatewayRequest,
  match: RouteMatch,
  api: { apiId: string; stage: string; type: 'http' | 'rest' },
  auth: RequestAuthV1 = {},
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [sent, value] of request.headers) {
    const name = api.type === 'http' ? sent.toLowerCase() : sent;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of queryPairs(request.rawQueryString)) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const domainName = headers.host ?? headers.Host ?? 'localhost';
  const text = isTextBody(request.headers);
  const resource = match.routeKey === '$default' ? '$default' : match.resource;
  return {
    ...(api.type === 'http' ? { version: '1.0', routeKey: match.routeKey } : {}),
    resource,
    path: request.rawPath,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: match.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: api.apiId,
      ...(auth.authorizer === undefined ? {} : { authorizer: authorizerV1(auth.authorizer) }),
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      extendedRequestId: request.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        ...(auth.apiKey === undefined ? {} : { apiKey: auth.apiKey.value, apiKeyId: auth.apiKey.id }),
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? headers['User-Agent'] ?? null,
        userArn: null,
        clientCert: null,
      },
      path: api.type === 'rest' ? `/${api.stage}${request.rawPath}` : request.rawPath,
      protocol: request.protocol,
      requestId: request.requestId,
      requestTime: requestTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt,
      resourceId: 'tributary',
      resourcePath: resource,
      stage: api.stage,
    },
    body: request.body.length === 0 ? null : text ? request.body.toString('utf8') : request.body.toString('base64'),
    isBase64Encoded: request.body.length > 0 && !text,
  };
}
