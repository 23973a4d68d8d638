import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { API_GATEWAY } from '../model/awsLimits.js';
import type { HttpApi, Throttle } from '../model/httpSchema.js';
import type { FunctionRuntime, InvokeResult } from '../runtime/functionRuntime.js';
import type { Clock } from '../shared/clock.js';
import { newRequestId } from '../shared/ids.js';
import { listen } from '../shared/listen.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { isTributaryError } from '../shared/tributaryError.js';
import { isPreflight, preflightResponse, withCorsHeaders } from './cors.js';
import { eventV1 } from './eventV1.js';
import { eventV2 } from './eventV2.js';
import type { GatewayRequest } from './gatewayRequest.js';
import { GATEWAY_ERRORS, type GatewayResponse, throttledByGateway } from './gatewayResponse.js';
import { responseV1, responseV2 } from './responseTranslation.js';
import { RouteTable } from './routeTable.js';
import { TokenBucket } from './tokenBucket.js';

/** The API id every local API shares; part of events' requestContext. */
export const LOCAL_API_ID = 'tributary';

export interface HttpGatewayOptions {
  /** Read per request: `dev` replaces the runtime (and so the routes) when the config is reloaded. */
  readonly runtime: () => FunctionRuntime;
  readonly clock: () => Clock;
  readonly logger?: Logger;
}

const TIMED_OUT = Symbol('timed out');

/**
 * API Gateway in front of the app's functions: an HTTP API (payload 2.0 or 1.0) or a REST API (1.0) with
 * Lambda proxy integrations. Routes as API Gateway selects them, events as it builds them, responses as it
 * reads them, and its own answers when there is no route, the body is over 10 MB, the function fails or
 * throttles, or the integration times out (29 s REST / 30 s HTTP by default).
 *
 * @example
 * const gateway = new HttpGateway({ runtime: () => runtime, clock: () => runtime.clock });
 * const url = await gateway.start({ port: 3000 });
 */
export class HttpGateway {
  private readonly options: HttpGatewayOptions;
  private readonly logger: Logger;
  private server: Server | undefined;
  private tables = new WeakMap<object, RouteTable>();
  private buckets = new WeakMap<HttpApi, Map<string, TokenBucket>>();

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
    const runtime = this.options.runtime();
    const errors = GATEWAY_ERRORS[api.type];
    if ((request.bodyBytes ?? request.body.length) > API_GATEWAY.maxPayloadBytes) return errors.tooLarge();
    const match = this.routeTable(api.routes).match(request.method, request.rawPath);
    if (match === undefined) return errors.notFound();
    if (!this.admit(api, match.routeKey, match.target.throttle ?? api.throttle)) return throttledByGateway();

    const stage = api.type === 'rest' ? 'dev' : '$default';
    const v1 = api.type === 'rest' || api.payloadFormatVersion === '1.0';
    const event = v1
      ? eventV1(request, match, { apiId: LOCAL_API_ID, stage, type: api.type })
      : eventV2(request, match, { apiId: LOCAL_API_ID, stage });
    const timeoutMs =
      api.integrationTimeoutMs ??
      (api.type === 'rest' ? API_GATEWAY.maxRestIntegrationTimeoutMs : API_GATEWAY.maxHttpIntegrationTimeoutMs);

    let result: InvokeResult | typeof TIMED_OUT;
    try {
      result = await this.invokeWithin(runtime, match.target.function, JSON.stringify(event), timeoutMs);
    } catch (error) {
      if (isTributaryError(error, 'ERR_THROTTLED')) return errors.throttled();
      this.logger.warn(
        { route: match.routeKey, error: error instanceof Error ? error.message : String(error) },
        'integration failed',
      );
      return errors.integrationFailure();
    }
    if (result === TIMED_OUT) return errors.timeout();
    if (result.functionError !== undefined) return errors.integrationFailure();
    const response = v1 ? responseV1(result.payload) : responseV2(result.payload);
    if (response === undefined) {
      this.logger.warn({ route: match.routeKey }, 'the function returned a response API Gateway cannot use');
      return errors.integrationFailure();
    }
    return response;
  }

  /** Listens on 127.0.0.1 by default; resolves with the base URL. */
  async start(options: { port: number; host?: string }): Promise<string> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer((req, res) => void this.serve(req, res));
    const url = await listen(server, { port: options.port, host, what: 'HTTP API', option: '--port' });
    this.server = server;
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

  /**
   * API Gateway's throttling: the account's bucket (10,000 rps, burst 5,000) for every request, then the route's
   * own bucket when a throttle applies to it. Buckets belong to one loaded API: a config reload starts them over.
   */
  private admit(api: HttpApi, routeKey: string, throttle: Throttle | undefined): boolean {
    let buckets = this.buckets.get(api);
    if (buckets === undefined) {
      buckets = new Map([
        [
          '',
          new TokenBucket(
            { rateLimit: API_GATEWAY.accountRateLimit, burstLimit: API_GATEWAY.accountBurstLimit },
            this.options.clock(),
          ),
        ],
      ]);
      this.buckets.set(api, buckets);
    }
    if (buckets.get('')?.take() === false) return false;
    if (throttle === undefined) return true;
    let bucket = buckets.get(routeKey);
    if (bucket === undefined) {
      bucket = new TokenBucket(throttle, this.options.clock());
      buckets.set(routeKey, bucket);
    }
    return bucket.take();
  }

  private routeTable(routes: HttpApi['routes']): RouteTable {
    let table = this.tables.get(routes);
    if (table === undefined) {
      table = new RouteTable(routes);
      this.tables.set(routes, table);
    }
    return table;
  }

  /** The integration: invoke, but answer the client at the integration timeout (the function runs on, as on AWS). */
  private invokeWithin(
    runtime: FunctionRuntime,
    functionName: string,
    payload: string,
    timeoutMs: number,
  ): Promise<InvokeResult | typeof TIMED_OUT> {
    return new Promise((resolve, reject) => {
      const timer = this.options.clock().setTimer(timeoutMs, () => resolve(TIMED_OUT));
      runtime.invoke({ functionName, payload }).then(
        (result) => {
          timer.cancel();
          resolve(result);
        },
        (error: unknown) => {
          timer.cancel();
          reject(error);
        },
      );
    });
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
