import { LOCAL_ACCOUNT_ID } from '../../runtime/functionArn.js';
import { queryPairs, requestTime } from '../gatewayRequest.js';

/** What a WebSocket connection's events share: the upgrade request and the connection's identity. */
export interface ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  readonly domainName: string;
  readonly apiId: string;
  readonly stage: string;
  /** The upgrade request's header pairs, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly rawQueryString: string;
}

/** `requestContext` of every WebSocket event; `extra` adds what one event type carries. */
function requestContext(
  facts: ConnectionFacts,
  event: { routeKey: string; eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT'; requestId: string; at: number },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    routeKey: event.routeKey,
    eventType: event.eventType,
    extendedRequestId: event.requestId,
    requestTime: requestTime(event.at),
    messageDirection: 'IN',
    stage: facts.stage,
    connectedAt: facts.connectedAt,
    requestTimeEpoch: event.at,
    identity: { sourceIp: facts.sourceIp, ...(facts.userAgent === undefined ? {} : { userAgent: facts.userAgent }) },
    requestId: event.requestId,
    domainName: facts.domainName,
    connectionId: facts.connectionId,
    apiId: facts.apiId,
    ...extra,
  };
}

/** Header and query maps as `$connect` events carry them (single and multi-value, names as sent). */
function requestMaps(facts: ConnectionFacts): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of facts.headers) {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of queryPairs(facts.rawQueryString)) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    headers,
    multiValueHeaders,
    ...(hasQuery ? { queryStringParameters: query, multiValueQueryStringParameters: multiQuery } : {}),
  };
}

export function connectEvent(
  facts: ConnectionFacts,
  requestId: string,
  authorizer: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return {
    ...requestMaps(facts),
    requestContext: requestContext(
      facts,
      { routeKey: '$connect', eventType: 'CONNECT', requestId, at: facts.connectedAt },
      authorizer === undefined ? {} : { authorizer },
    ),
    isBase64Encoded: false,
  };
}

export function messageEvent(
  facts: ConnectionFacts,
  message: { routeKey: string; requestId: string; messageId: string; at: number; data: Buffer; binary: boolean },
): Record<string, unknown> {
  return {
    requestContext: requestContext(
      facts,
      { routeKey: message.routeKey, eventType: 'MESSAGE', requestId: message.requestId, at: message.at },
      { messageId: message.messageId },
    ),
    body: message.binary ? message.data.toString('base64') : message.data.toString('utf8'),
    isBase64Encoded: message.binary,
  };
}

export function disconnectEvent(
  facts: ConnectionFacts,
  close: { requestId: string; at: number; code: number; reason: string },
): Record<string, unknown> {
  return {
    ...requestMaps(facts),
    requestContext: requestContext(
      facts,
      { routeKey: '$disconnect', eventType: 'DISCONNECT', requestId: close.requestId, at: close.at },
      { disconnectStatusCode: close.code, disconnectReason: close.reason },
    ),
    isBase64Encoded: false,
  };
}

/** The `$connect` REQUEST authorizer's event: the connect request plus `type` and `methodArn`. */
export function connectAuthorizerEvent(
  facts: ConnectionFacts,
  requestId: string,
  region: string,
): Record<string, unknown> {
  const maps = requestMaps(facts);
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT_ID}:${facts.apiId}/${facts.stage}/$connect`,
    ...maps,
    queryStringParameters: maps.queryStringParameters ?? {},
    multiValueQueryStringParameters: maps.multiValueQueryStringParameters ?? {},
    stageVariables: {},
    requestContext: requestContext(facts, {
      routeKey: '$connect',
      eventType: 'CONNECT',
      requestId,
      at: facts.connectedAt,
    }),
    isBase64Encoded: false,
    body: null,
  };
}

/**
 * The route key a message selects with `$request.body.<path>`: the field's value when the message is a JSON
 * object and the value is a string; undefined otherwise (the message goes to `$default`).
 */
export function selectRoute(expression: string, data: Buffer, binary: boolean): string | undefined {
  if (binary) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  for (const field of expression.replace(/^\$request\.body\./, '').split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[field];
  }
  return typeof value === 'string' ? value : undefined;
}
