import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { API_GATEWAY, WEBSOCKET } from '../../model/awsLimits.js';
import type { WebSocketApi } from '../../model/websocketSchema.js';
import type { FunctionRuntime, InvokeResult } from '../../runtime/functionRuntime.js';
import type { Clock } from '../../shared/clock.js';
import { newRequestId } from '../../shared/ids.js';
import { listen } from '../../shared/listen.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import { identityValue } from '../auth/identitySource.js';
import { decide, readAuthorizerAnswer } from '../auth/lambdaAuthorizerAnswer.js';
import type { GatewayRequest } from '../gatewayRequest.js';
import { timedInvoke } from '../timedInvoke.js';
import { type Connection, ConnectionRegistry } from './connectionRegistry.js';
import {
  type ConnectionFacts,
  connectAuthorizerEvent,
  connectEvent,
  disconnectEvent,
  messageEvent,
  selectRoute,
} from './websocketEvents.js';

/** The stage in WebSocket events and in `@connections` URLs (`/dev/@connections/{id}`). */
export const WEBSOCKET_STAGE = 'dev';
const API_ID = 'tributary-ws';

export interface WebSocketGatewayOptions {
  /** Read per connection: `dev` replaces the runtime (and so the routes) when the config is reloaded. */
  readonly runtime: () => FunctionRuntime;
  readonly clock: () => Clock;
  readonly logger?: Logger;
}

/** An id shaped like API Gateway's (16 base64 characters). */
const newConnectionId = (): string => randomBytes(12).toString('base64');

/** Refuses an upgrade with a plain HTTP answer, as API Gateway does when `$connect` is not allowed. */
function refuseUpgrade(socket: Duplex, status: number, message: string | null): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * API Gateway's WebSocket API: `$connect` (optionally behind a Lambda REQUEST authorizer) decides whether a client
 * may connect; each message goes to the route its body selects, or `$default`; `$disconnect` hears every close.
 * Connections close after 10 minutes idle or 2 hours in all (configurable, on the injected clock), and messages
 * over 128 KB close them with 1009. Functions reach clients through `registry` (the `@connections` API).
 *
 * @example
 * const ws = new WebSocketGateway({ runtime: () => runtime, clock: () => runtime.clock });
 * const url = await ws.start({ port: 3001 }); // ws://127.0.0.1:3001
 */
export class WebSocketGateway {
  readonly registry: ConnectionRegistry;
  private readonly options: WebSocketGatewayOptions;
  private readonly logger: Logger;
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: WEBSOCKET.maxMessageBytes });
  private server: Server | undefined;
  private stopping = false;

  constructor(options: WebSocketGatewayOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.registry = new ConnectionRegistry((connection) => this.touch(connection));
  }

  /**
   * Listens on 127.0.0.1 by default; resolves with the `ws://` URL. Plain HTTP requests on the same port reach
   * `handleHttp` (the `@connections` API, so `http://<domainName>/<stage>` works as a management endpoint too).
   */
  async start(options: {
    port: number;
    host?: string;
    handleHttp?: (req: IncomingMessage, res: import('node:http').ServerResponse) => void;
  }): Promise<string> {
    const server = createServer((req, res) => {
      if (options.handleHttp !== undefined) options.handleHttp(req, res);
      else res.writeHead(426, { 'content-type': 'application/json' }).end('{"message":"Upgrade Required"}');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    const url = await listen(server, {
      port: options.port,
      host: options.host ?? '127.0.0.1',
      what: 'WebSocket API',
      option: '--ws-port',
    });
    this.server = server;
    return url.replace(/^http:/, 'ws:');
  }

  async dispose(): Promise<void> {
    this.stopping = true;
    for (const connection of this.registry.all()) {
      connection.socket.terminate();
      this.release(connection);
    }
    const server = this.server;
    this.server = undefined;
    this.sockets.close();
    if (server === undefined) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const api = this.options.runtime().app.model.websocket;
    if (api === undefined) return refuseUpgrade(socket, 404, 'Not Found');
    const clock = this.options.clock();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      headers.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
    const facts: ConnectionFacts = {
      connectionId: newConnectionId(),
      connectedAt: clock.now(),
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: req.headers['user-agent'],
      domainName: req.headers.host ?? 'localhost',
      apiId: API_ID,
      stage: WEBSOCKET_STAGE,
      headers,
      rawQueryString: query < 0 ? '' : url.slice(query + 1),
    };
    try {
      const authorizer = await this.authorize(api, facts);
      if (typeof authorizer === 'number')
        return refuseUpgrade(socket, authorizer, authorizer === 500 ? null : (STATUS_CODES[authorizer] ?? null));
      const connect = api.routes.$connect;
      if (connect !== undefined) {
        const result = await this.invoke(connect.function, connectEvent(facts, newRequestId(), authorizer));
        const status = connectStatus(result);
        if (status !== 200) return refuseUpgrade(socket, status, status >= 500 ? 'Internal server error' : 'Forbidden');
      }
    } catch (error) {
      this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, '$connect failed');
      return refuseUpgrade(socket, 500, 'Internal server error');
    }
    if (socket.destroyed || this.stopping) return;
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.accept(api, facts, ws));
  }

  /**
   * The `$connect` authorizer: undefined when there is none, the context for the events when it allows, or the
   * HTTP status that refuses the upgrade (401 missing identity or `Unauthorized`, 403 denied, 500 failed).
   */
  private async authorize(
    api: WebSocketApi,
    facts: ConnectionFacts,
  ): Promise<Record<string, unknown> | undefined | number> {
    if (api.authorizer === undefined) return undefined;
    const request: GatewayRequest = {
      method: 'GET',
      rawPath: '/',
      rawQueryString: facts.rawQueryString,
      headers: facts.headers,
      body: Buffer.alloc(0),
      sourceIp: facts.sourceIp,
      protocol: 'HTTP/1.1',
      requestId: facts.connectionId,
      receivedAt: facts.connectedAt,
    };
    const context = { routeKey: '$connect', stage: WEBSOCKET_STAGE };
    if (api.authorizer.identitySource.some((source) => identityValue(source, request, context) === undefined))
      return 401;
    const region = this.options.runtime().app.model.region;
    const event = connectAuthorizerEvent(facts, newRequestId(), region);
    const result = await this.invoke(api.authorizer.function, event, API_GATEWAY.authorizerTimeoutMs);
    if (result === 'timeout') return 500;
    if (result.functionError !== undefined) return result.payload.includes('"Unauthorized"') ? 401 : 500;
    const answer = readAuthorizerAnswer(result.payload, { simpleResponses: false, payloadFormatVersion: '1.0' });
    if (answer === undefined) return 500;
    if (decide(answer, String(event.methodArn)) !== 'allow') return 403;
    return {
      ...answer.context,
      ...(answer.kind === 'policy' ? { principalId: answer.principalId } : {}),
      integrationLatency: 0,
    };
  }

  private accept(api: WebSocketApi, facts: ConnectionFacts, socket: WebSocket): void {
    const clock = this.options.clock();
    const connection: Connection = {
      facts,
      socket,
      lastActiveAt: clock.now(),
      idleTimer: undefined,
      maxTimer: clock.setTimer(api.maxConnectionSeconds * 1000, () => socket.close(1001, 'Going away')),
    };
    this.registry.add(connection);
    this.touch(connection);
    socket.on('message', (data: Buffer, binary: boolean) => {
      this.touch(connection);
      void this.message(connection, data, binary);
    });
    socket.on('error', (error) => this.logger.debug({ error: error.message }, 'WebSocket error'));
    socket.on('close', (code: number, reason: Buffer) => {
      this.release(connection);
      if (!this.stopping) void this.disconnect(connection, code, reason.toString('utf8'));
    });
  }

  /** Activity restarts the idle timer (10 minutes by default). */
  private touch(connection: Connection): void {
    const api = this.options.runtime().app.model.websocket;
    const clock = this.options.clock();
    connection.lastActiveAt = clock.now();
    connection.idleTimer?.cancel();
    const idleMs = (api?.idleTimeoutSeconds ?? WEBSOCKET.idleTimeoutSeconds) * 1000;
    connection.idleTimer = clock.setTimer(idleMs, () => connection.socket.close(1001, 'Going away'));
  }

  private release(connection: Connection): void {
    connection.idleTimer?.cancel();
    connection.maxTimer.cancel();
    this.registry.remove(connection.facts.connectionId);
  }

  private async message(connection: Connection, data: Buffer, binary: boolean): Promise<void> {
    const api = this.options.runtime().app.model.websocket;
    if (api === undefined) return;
    const requestId = newRequestId();
    const selected = selectRoute(api.routeSelectionExpression, data, binary);
    const routeKey =
      selected !== undefined && selected in api.routes && !selected.startsWith('$') ? selected : '$default';
    const target = api.routes[routeKey];
    const reply = (message: string): void => {
      this.registry.post(
        connection.facts.connectionId,
        Buffer.from(JSON.stringify({ message, connectionId: connection.facts.connectionId, requestId })),
      );
    };
    if (target === undefined) return reply('Forbidden');
    const event = messageEvent(connection.facts, {
      routeKey,
      requestId,
      messageId: newConnectionId(),
      at: this.options.clock().now(),
      data,
      binary,
    });
    let result: InvokeResult | 'timeout';
    try {
      result = await this.invoke(target.function, event);
    } catch (error) {
      this.logger.warn(
        { route: routeKey, error: error instanceof Error ? error.message : String(error) },
        'WebSocket integration failed',
      );
      return reply('Internal server error');
    }
    if (result === 'timeout') return reply('Endpoint request timed out');
    if (result.functionError !== undefined) return reply('Internal server error');
    if (target.returnResponse) {
      const body = responseBody(result.payload);
      if (body !== undefined) this.registry.post(connection.facts.connectionId, Buffer.from(body));
    }
  }

  private async disconnect(connection: Connection, code: number, reason: string): Promise<void> {
    const target = this.options.runtime().app.model.websocket?.routes.$disconnect;
    if (target === undefined) return;
    const event = disconnectEvent(connection.facts, {
      requestId: newRequestId(),
      at: this.options.clock().now(),
      code,
      reason,
    });
    try {
      await this.invoke(target.function, event);
    } catch (error) {
      this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, '$disconnect failed');
    }
  }

  private invoke(
    functionName: string,
    event: Record<string, unknown>,
    timeoutMs: number = API_GATEWAY.maxRestIntegrationTimeoutMs,
  ): Promise<InvokeResult | 'timeout'> {
    return timedInvoke(this.options.runtime(), this.options.clock(), functionName, JSON.stringify(event), timeoutMs);
  }
}

/** `$connect` allows the connection when the function succeeds with a 2xx status (or none); else the status to refuse with. */
function connectStatus(result: InvokeResult | 'timeout'): number {
  if (result === 'timeout') return 504;
  if (result.functionError !== undefined) return 500;
  try {
    const parsed = JSON.parse(result.payload) as { statusCode?: unknown } | null;
    const status = Number(parsed?.statusCode ?? 200);
    if (!Number.isInteger(status) || status < 100 || status > 599) return 500;
    return status >= 200 && status < 300 ? 200 : status;
  } catch {
    return 200;
  }
}

/** A route response: the function's `body` (or a plain string result). */
function responseBody(payload: string): string | undefined {
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (typeof parsed === 'string') return parsed;
    if (parsed !== null && typeof parsed === 'object' && 'body' in parsed) {
      const body = (parsed as { body?: unknown }).body;
      return typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
    }
    return undefined;
  } catch {
    return undefined;
  }
}
