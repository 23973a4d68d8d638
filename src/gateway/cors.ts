import type { Cors } from '../model/httpSchema.js';
import type { GatewayRequest } from './gatewayRequest.js';
import type { GatewayResponse } from './gatewayResponse.js';

const header = (request: GatewayRequest, name: string): string | undefined =>
  request.headers.find(([n]) => n.toLowerCase() === name)?.[1];

/** The allowed origin to echo, or undefined when the origin is not allowed. */
function allowedOrigin(cors: Cors, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.allowOrigins.includes('*')) return '*';
  return cors.allowOrigins.includes(origin) ? origin : undefined;
}

/** A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method), which the HTTP API answers itself. */
export function isPreflight(request: GatewayRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    header(request, 'origin') !== undefined &&
    header(request, 'access-control-request-method') !== undefined
  );
}

/** The gateway's 204 answer to a preflight; without CORS headers when the origin or method is not allowed. */
export function preflightResponse(cors: Cors, request: GatewayRequest): GatewayResponse {
  const origin = allowedOrigin(cors, header(request, 'origin'));
  const method = header(request, 'access-control-request-method') ?? '';
  const methodAllowed =
    cors.allowMethods.includes('*') || cors.allowMethods.map((m) => m.toUpperCase()).includes(method.toUpperCase());
  if (origin === undefined || !methodAllowed) return { status: 204, headers: [], body: Buffer.alloc(0) };
  const requested = header(request, 'access-control-request-headers');
  const headers: [string, string][] = [
    ['access-control-allow-origin', origin],
    ['access-control-allow-methods', cors.allowMethods.join(',')],
  ];
  const allowHeaders = cors.allowHeaders.includes('*') ? requested : cors.allowHeaders.join(',');
  if (allowHeaders !== undefined && allowHeaders !== '') headers.push(['access-control-allow-headers', allowHeaders]);
  if (cors.maxAge !== undefined) headers.push(['access-control-max-age', String(cors.maxAge)]);
  if (cors.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
  return { status: 204, headers, body: Buffer.alloc(0) };
}

/**
 * Sets the CORS headers on a response to an allowed origin. As on an HTTP API with CORS configured, CORS
 * headers the function returned are replaced by the API's.
 */
export function withCorsHeaders(cors: Cors, request: GatewayRequest, response: GatewayResponse): GatewayResponse {
  const origin = allowedOrigin(cors, header(request, 'origin'));
  const kept = response.headers.filter(([name]) => !name.toLowerCase().startsWith('access-control-'));
  if (origin === undefined) return { ...response, headers: kept };
  const added: [string, string][] = [['access-control-allow-origin', origin]];
  if (cors.exposeHeaders.length > 0) added.push(['access-control-expose-headers', cors.exposeHeaders.join(',')]);
  if (cors.allowCredentials) added.push(['access-control-allow-credentials', 'true']);
  return { ...response, headers: [...kept, ...added] };
}
