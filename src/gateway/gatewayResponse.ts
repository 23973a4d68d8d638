/** What the gateway sends back to the client. */
export interface GatewayResponse {
  readonly status: number;
  /** Header pairs; a name may repeat (Set-Cookie). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** A JSON error as API Gateway's default gateway responses send it: `{"message":"..."}`. */
export function gatewayError(status: number, message: string): GatewayResponse {
  return { status, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ message })) };
}

/** API Gateway's own throttling (the account, stage or route token bucket is empty): `THROTTLED`. */
export const throttledByGateway = (): GatewayResponse => gatewayError(429, 'Too Many Requests');

/** API Gateway's answers when the integration does not produce a usable response, by API type. */
export const GATEWAY_ERRORS = {
  http: {
    notFound: () => gatewayError(404, 'Not Found'),
    /** A function error or a response the gateway cannot use. */
    integrationFailure: () => gatewayError(500, 'Internal Server Error'),
    /** UNCONFIRMED: what an HTTP API answers when Lambda throttles. */
    throttled: () => gatewayError(503, 'Service Unavailable'),
    /** UNCONFIRMED: the HTTP API's integration-timeout body. */
    timeout: () => gatewayError(504, 'Service Unavailable'),
    tooLarge: () => gatewayError(413, 'Request Entity Too Large'),
  },
  rest: {
    notFound: () => gatewayError(403, 'Missing Authentication Token'),
    integrationFailure: () => gatewayError(502, 'Internal server error'),
    /** UNCONFIRMED: what a REST API answers when Lambda throttles. */
    throttled: () => gatewayError(502, 'Internal server error'),
    timeout: () => gatewayError(504, 'Endpoint request timed out'),
    tooLarge: () => gatewayError(413, 'Request Entity Too Large'),
  },
} as const;
