import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolvePrincipal } from '../access/principals.js';
import type { DeliveryStreams } from '../lake/streams/deliveryStreams.js';
import { ALB, API_GATEWAY } from '../model/awsLimits.js';
import type { HttpApi } from '../model/httpSchema.js';
import { LOCAL_ACCOUNT_ID } from '../runtime/functionArn.js';
import type { FunctionRuntime, InvokeResult } from '../runtime/functionRuntime.js';
import { traceRootOf } from '../runtime/traceId.js';
import type { Clock } from '../shared/clock.js';
import { newRequestId } from '../shared/ids.js';
import { listen } from '../shared/listen.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { isTributaryError } from '../shared/tributaryError.js';
import { ApiState } from './apiState.js';
import type { AuthFailure, AuthorizerOutput } from './auth/routeAuthorizer.js';
import { isPreflight, preflightResponse, withCorsHeaders } from './cors.js';
import { eventAlb } from './eventAlb.js';
import { eventV1 } from './eventV1.js';
import { eventV2 } from './eventV2.js';
import type { GatewayRequest } from './gatewayRequest.js';
import { GATEWAY_ERRORS, type GatewayErrors, type GatewayResponse, throttledByGateway } from './gatewayResponse.js';
import { responseAlb } from './responseAlb.js';
import { responseV1, responseV2 } from './responseTranslation.js';
import type { RouteMatch } from './routeTable.js';
import { putToStream } from './streamIntegration.js';
import { timedInvoke } from './timedInvoke.js';

/** The API id every local API shares; part of events' requestContext. */
export const LOCAL_API_ID = 'tributary';

export interface HttpGatewayOptions {
  /** Read per request: `dev` replaces the runtime (and so the routes) when the config is reloaded. */
  readonly runtime: () => FunctionRuntime;
  readonly clock: () => Clock;
  /** The lake's delivery streams, for routes that feed one directly. */
  readonly streams?: () => DeliveryStreams | undefined;
  readonly logger?: Logger;
}

/** The stage name in events and ARNs: `$default` for HTTP APIs, `dev` for REST APIs. */
const stageOf = (api: HttpApi): string => (api.type === 'rest' ? 'dev' : '$default');

/**
 * API Gateway in front of the app's functions: an HTTP API (payload 2.0 or 1.0) or a REST API (1.0) with
 * Lambda proxy integrations — or an Application Load Balancer with Lambda target groups. Routes as API Gateway
 * selects them, throttling, authorizers and API keys before the integration, events as it builds them,
 * responses as it reads them, and its own answers when there is no route, the body is over the limit, the
 * request is not authorised, the function fails or throttles, or the integration times out.
 *
 * @example
 * const gateway = new HttpGateway({ runtime: () => runtime, clock: () => runtime.clock });
 * const url = await gateway.start({ port: 3000 });
 */
export class HttpGateway {
  private readonly options: HttpGatewayOptions;
  private readonly logger: Logger;
  private server: Server | undefined;
  private port = 0;
  private states = new WeakMap<HttpApi, ApiState>();

  constructor(options: HttpGatewayOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
  }

  /** Answers one request; needs no socket. CORS headers, when configured, go on every answer. */
  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const api = this.options.runtime().app.model.http;
    if (api === undefined) return GATEWAY_ERRORS.http.notFound();
    if (api.cors !== undefined && isPreflight(request)) return preflightResponse(api.cors, request);
    const response = await this.route(api, request);
    return api.cors === undefined ? response : withCorsHeaders(api.cors, request, response);
  }

  private async route(api: HttpApi, request: GatewayRequest): Promise<GatewayResponse> {
    const errors = GATEWAY_ERRORS[api.type];
    const maxBody = api.type === 'alb' ? ALB.maxPayloadBytes : API_GATEWAY.maxPayloadBytes;
    if ((request.bodyBytes ?? request.body.length) > maxBody) return errors.tooLarge();
    const state = this.state(api);
    const match = state.routes.match(request.method, request.rawPath);
    if (match === undefined) return errors.notFound();
    if (!state.admit(match.routeKey, match.target.throttle ?? api.throttle)) return throttledByGateway();

    const auth = await state.authorizer?.authorize(request, match, match.target.auth ?? api.auth);
    if (auth !== undefined && !auth.ok) return refusal(errors, auth.failure, this.logger, match.routeKey);
    let apiKey: { id: string; value: string } | undefined;
    if (match.target.apiKeyRequired === true) {
      const presented = request.headers.find(([name]) => name.toLowerCase() === 'x-api-key')?.[1];
      const verdict = state.apiKeys.check(presented);
      if (!verdict.ok)
        return verdict.reason === 'forbidden'
          ? errors.forbidden()
          : verdict.reason === 'quota'
            ? errors.quotaExceeded()
            : throttledByGateway();
      apiKey = { id: verdict.keyId, value: verdict.keyValue };
    }
    if ('stream' in match.target) {
      const access = this.options.runtime().app.model.access;
      if (access === undefined) return putToStream(this.options.streams?.(), match.target.stream, request);
      // With access control, the caller is a principal (API key, or the JWT authorizer's claims) writing its grants.
      const apiKey = request.headers.find(([name]) => name.toLowerCase() === 'x-api-key')?.[1];
      const claims = auth?.output?.kind === 'jwt' ? auth.output.claims : undefined;
      const principal = resolvePrincipal(access, {
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(claims === undefined ? {} : { jwtClaims: claims }),
      });
      if (principal?.grants === undefined) return errors.forbidden();
      return putToStream(this.options.streams?.(), match.target.stream, request, principal.grants.write);
    }
    return this.integrate(api, request, match, match.target.function, { authorizer: auth?.output, apiKey });
  }

  /** The Lambda proxy integration: the event, the invoke within the integration timeout, the translated answer. */
  private async integrate(
    api: HttpApi,
    request: GatewayRequest,
    match: RouteMatch,
    functionName: string,
    auth: { authorizer: AuthorizerOutput | undefined; apiKey: { id: string; value: string } | undefined },
  ): Promise<GatewayResponse> {
    const runtime = this.options.runtime();
    const errors = GATEWAY_ERRORS[api.type];
    const v1 = api.type === 'rest' || api.payloadFormatVersion === '1.0';
    const multiValue = api.multiValueHeaders === true;
    const event =
      api.type === 'alb'
        ? eventAlb(request, {
            targetGroupArn: targetGroupArn(runtime, functionName),
            multiValueHeaders: multiValue,
            port: this.port,
          })
        : v1
          ? eventV1(request, match, { apiId: LOCAL_API_ID, stage: stageOf(api), type: api.type }, auth)
          : eventV2(request, match, { apiId: LOCAL_API_ID, stage: stageOf(api) }, auth.authorizer);
    const timeoutMs =
      api.integrationTimeoutMs ??
      (api.type === 'rest'
        ? API_GATEWAY.maxRestIntegrationTimeoutMs
        : api.type === 'alb'
          ? ALB.idleTimeoutMs
          : API_GATEWAY.maxHttpIntegrationTimeoutMs);

    let result: InvokeResult | 'timeout';
    try {
      // The caller's X-Amzn-Trace-Id root, as API Gateway passes it on: a client's parallel calls share one trace.
      result = await timedInvoke(
        runtime,
        this.options.clock(),
        functionName,
        JSON.stringify(event),
        timeoutMs,
        traceRootOf(request.headers.find(([name]) => name.toLowerCase() === 'x-amzn-trace-id')?.[1]),
      );
    } catch (error) {
      if (isTributaryError(error, 'ERR_THROTTLED')) return errors.throttled();
      this.logger.warn(
        { route: match.routeKey, error: error instanceof Error ? error.message : String(error) },
        'integration failed',
      );
      return errors.integrationFailure();
    }
    if (result === 'timeout') return errors.timeout();
    if (result.functionError !== undefined) return errors.integrationFailure();
    const response =
      api.type === 'alb'
        ? responseAlb(result.payload, multiValue)
        : v1
          ? responseV1(result.payload)
          : responseV2(result.payload);
    if (response === undefined) {
      this.logger.warn({ route: match.routeKey }, 'the function returned a response the gateway cannot use');
      return errors.integrationFailure();
    }
    return response;
  }

  private state(api: HttpApi): ApiState {
    let state = this.states.get(api);
    if (state === undefined) {
      const runtime = this.options.runtime();
      state = new ApiState(api, {
        identity: {
          type: api.type === 'rest' ? 'rest' : 'http',
          apiId: LOCAL_API_ID,
          stage: stageOf(api),
          region: runtime.app.model.region,
          payloadFormatVersion: api.type === 'rest' || api.payloadFormatVersion === '1.0' ? '1.0' : '2.0',
        },
        appDir: runtime.app.dir,
        accountThrottle: runtime.app.model.limits.apiGatewayThrottle,
        clock: this.options.clock(),
        invoke: (fn, payload, timeoutMs) =>
          timedInvoke(this.options.runtime(), this.options.clock(), fn, payload, timeoutMs),
      });
      this.states.set(api, state);
    }
    return state;
  }

  /** Listens on 127.0.0.1 by default; resolves with the base URL. */
  async start(options: { port: number; host?: string }): Promise<string> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer((req, res) => void this.serve(req, res));
    const url = await listen(server, { port: options.port, host, what: 'HTTP API', option: '--port' });
    this.server = server;
    this.port = Number(new URL(url).port);
    return url;
  }

  async dispose(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > API_GATEWAY.maxPayloadBytes) tooLarge = true;
      else chunks.push(chunk as Buffer);
    }
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      pairs.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
    const request: GatewayRequest = {
      method: req.method ?? 'GET',
      rawPath: query < 0 ? url : url.slice(0, query),
      rawQueryString: query < 0 ? '' : url.slice(query + 1),
      headers: pairs,
      body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks),
      ...(tooLarge ? { bodyBytes: size } : {}),
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      protocol: `HTTP/${req.httpVersion}`,
      requestId: newRequestId(),
      receivedAt,
    };
    let response: GatewayResponse;
    try {
      response = await this.handle(request);
    } catch (error) {
      this.logger.error({ error: error instanceof Error ? error.stack : String(error) }, 'gateway request failed');
      response = GATEWAY_ERRORS.http.integrationFailure();
    }
    // The server frames the body itself; a function's own framing headers would contradict it.
    const own = response.headers.filter(([name]) => !/^(content-length|transfer-encoding|connection)$/i.test(name));
    const headers = [
      ...own.flat(),
      'apigw-requestid',
      request.requestId,
      'content-length',
      String(response.body.length),
    ];
    res.writeHead(response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : response.body);
  }
}

/** A local target group per function: `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<fn>/…`. */
function targetGroupArn(runtime: FunctionRuntime, functionName: string): string {
  return `arn:aws:elasticloadbalancing:${runtime.app.model.region}:${LOCAL_ACCOUNT_ID}:targetgroup/${functionName}/${LOCAL_API_ID}`;
}

/** The gateway response for a refused request; authorizer failures are logged, since the client learns nothing. */
function refusal(errors: GatewayErrors, failure: AuthFailure, logger: Logger, route: string): GatewayResponse {
  switch (failure.kind) {
    case 'unauthorized':
      return errors.unauthorized(failure.wwwAuthenticate);
    case 'forbidden':
      return errors.forbidden();
    case 'explicit-deny':
      return errors.explicitDeny();
    case 'authorizer-error':
      logger.warn({ route, detail: failure.detail }, 'the authorizer failed');
      return errors.authorizerFailure();
  }
}
