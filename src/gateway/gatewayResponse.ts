import { albErrorPage } from './responseAlb.js';

/** What the gateway sends back to the client. */
export interface GatewayResponse {
  readonly status: number;
  /** Header pairs; a name may repeat (Set-Cookie). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** A JSON error as API Gateway's default gateway responses send it: `{"message":"..."}`. */
export function gatewayError(status: number, message: string | null, key = 'message'): GatewayResponse {
  return {
    status,
    headers: [['content-type', 'application/json']],
    body: Buffer.from(JSON.stringify({ [key]: message })),
  };
}

/** API Gateway's own throttling (the account, stage or route token bucket is empty): `THROTTLED`. */
export const throttledByGateway = (): GatewayResponse => gatewayError(429, 'Too Many Requests');

/** What every API type answers for each way a request can fail before or at the integration. */
export interface GatewayErrors {
  readonly notFound: () => GatewayResponse;
  /** A function error or a response the gateway cannot use. */
  readonly integrationFailure: () => GatewayResponse;
  /** Lambda throttled the integration's invocation. */
  readonly throttled: () => GatewayResponse;
  readonly timeout: () => GatewayResponse;
  readonly tooLarge: () => GatewayResponse;
  /** UNAUTHORIZED: no identity source, an invalid token, or an authorizer that threw `Unauthorized`. */
  readonly unauthorized: (wwwAuthenticate?: string) => GatewayResponse;
  /** ACCESS_DENIED / INVALID_API_KEY: refused by the authorizer, missing scopes, or no valid API key. */
  readonly forbidden: () => GatewayResponse;
  /** ACCESS_DENIED by an explicit Deny in the authorizer's policy. */
  readonly explicitDeny: () => GatewayResponse;
  /** AUTHORIZER_FAILURE / AUTHORIZER_CONFIGURATION_ERROR. */
  readonly authorizerFailure: () => GatewayResponse;
  /** QUOTA_EXCEEDED: the API key's usage-plan quota is spent. */
  readonly quotaExceeded: () => GatewayResponse;
}

const unauthorized = (wwwAuthenticate?: string): GatewayResponse => {
  const response = gatewayError(401, 'Unauthorized');
  return wwwAuthenticate === undefined
    ? response
    : { ...response, headers: [...response.headers, ['www-authenticate', wwwAuthenticate]] };
};

/** API Gateway's answers when the integration does not produce a usable response, by API type. */
export const GATEWAY_ERRORS: Readonly<Record<'http' | 'rest' | 'alb', GatewayErrors>> = {
  http: {
    notFound: () => gatewayError(404, 'Not Found'),
    integrationFailure: () => gatewayError(500, 'Internal Server Error'),
    /** UNCONFIRMED: what an HTTP API answers when Lambda throttles. */
    throttled: () => gatewayError(503, 'Service Unavailable'),
    /** UNCONFIRMED: the HTTP API's integration-timeout body. */
    timeout: () => gatewayError(504, 'Service Unavailable'),
    tooLarge: () => gatewayError(413, 'Request Entity Too Large'),
    unauthorized,
    forbidden: () => gatewayError(403, 'Forbidden'),
    explicitDeny: () => gatewayError(403, 'Forbidden'),
    authorizerFailure: () => gatewayError(500, 'Internal Server Error'),
    quotaExceeded: () => gatewayError(429, 'Limit Exceeded'),
  },
  rest: {
    notFound: () => gatewayError(403, 'Missing Authentication Token'),
    integrationFailure: () => gatewayError(502, 'Internal server error'),
    /** UNCONFIRMED: what a REST API answers when Lambda throttles. */
    throttled: () => gatewayError(502, 'Internal server error'),
    timeout: () => gatewayError(504, 'Endpoint request timed out'),
    tooLarge: () => gatewayError(413, 'Request Entity Too Large'),
    unauthorized,
    forbidden: () => gatewayError(403, 'Forbidden'),
    explicitDeny: () =>
      gatewayError(403, 'User is not authorized to access this resource with an explicit deny', 'Message'),
    authorizerFailure: () => gatewayError(500, null),
    quotaExceeded: () => gatewayError(429, 'Limit Exceeded'),
  },
  /** A load balancer answers with HTML pages of its own; it has no authorizers or keys of API Gateway's kind. */
  alb: {
    notFound: () => albErrorPage(404),
    integrationFailure: () => albErrorPage(502),
    /** UNCONFIRMED: a throttled Lambda target. */
    throttled: () => albErrorPage(503),
    timeout: () => albErrorPage(504),
    tooLarge: () => albErrorPage(413),
    unauthorized: () => albErrorPage(401),
    forbidden: () => albErrorPage(403),
    explicitDeny: () => albErrorPage(403),
    authorizerFailure: () => albErrorPage(500),
    quotaExceeded: () => albErrorPage(429),
  },
};
