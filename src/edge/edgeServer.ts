import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../shared/listen.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import type { EdgeRequest, EdgeResponse, EdgeService } from './edgeMessage.js';
import { restJsonError } from './restJsonErrors.js';
import { sigV4Scope } from './sigV4Scope.js';

/**
 * Bodies are read whole, up to this; larger ones are refused. Enough for Lambda (6 MB) and SDK multipart parts
 * (5-8 MiB by default); streaming large S3 bodies is a follow-up.
 */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface EdgeServerOptions {
  readonly services: readonly EdgeService[];
  readonly logger?: Logger;
  /** The app's Region: a client signing for another one is told so in the log (dev accepts it anyway). */
  readonly region?: () => string;
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The local AWS endpoint: one port speaking the AWS wire protocols of the services in its table. `handle()` is
 * the whole behaviour and needs no socket; `start()` puts it on 127.0.0.1.
 *
 * @example
 * const edge = new EdgeServer({ services: [new LambdaService(() => runtime)] });
 * const url = await edge.start({ port: 4566 });
 * await edge.dispose();
 */
export class EdgeServer {
  private readonly services: readonly EdgeService[];
  private readonly logger: Logger;
  private server: Server | undefined;
  private readonly region: (() => string) | undefined;
  private readonly warnedScopes = new Set<string>();

  constructor(options: EdgeServerOptions) {
    this.services = options.services;
    this.logger = options.logger ?? silentLogger;
    this.region = options.region;
  }

  /** Answers one request: the first service that claims it handles it; anything else is an AWS-shaped error. */
  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    this.noteSigningRegion(request);
    const service = this.services.find((s) => s.matches(request));
    if (service === undefined) {
      this.logger.warn(
        { method: request.method, path: request.path },
        'request for an AWS service Tributary does not emulate',
      );
      return restJsonError(
        501,
        'UnsupportedOperationException',
        `Tributary does not emulate ${request.method} ${request.path}`,
      );
    }
    return service.handle(request);
  }

  /**
   * Any access key is accepted in dev; the signature's scope is parsed so a client configured for another Region
   * (which on AWS would reach other resources, or be refused) is pointed out once per Region and service.
   */
  private noteSigningRegion(request: EdgeRequest): void {
    const scope = sigV4Scope(request.headers.authorization, request.query);
    const region = this.region?.();
    if (scope === undefined || region === undefined || scope.region === region) return;
    const id = `${scope.region}/${scope.service}`;
    if (this.warnedScopes.has(id)) return;
    this.warnedScopes.add(id);
    this.logger.warn(
      { signedRegion: scope.region, appRegion: region, service: scope.service, accessKeyId: scope.accessKeyId },
      `a client signs ${scope.service} requests for ${scope.region}, but the app runs in ${region}; served anyway (dev does not enforce signatures)`,
    );
  }

  /** Listens on `host` (default 127.0.0.1) and `port` (0 picks a free one); resolves with the endpoint URL. */
  async start(options: { port: number; host?: string }): Promise<string> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer(this.listener);
    server.keepAliveTimeout = 65_000;
    const url = await listen(server, { port: options.port, host, what: 'local AWS endpoint', option: '--edge-port' });
    this.server = server;
    return url;
  }

  async dispose(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeIdleConnections();
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  /** The endpoint as a node:http request listener, for another server to delegate to (the WebSocket port). */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => void this.serve(req, res);

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: EdgeResponse;
    try {
      const body = await readBody(req);
      if (body === undefined) {
        response = restJsonError(413, 'RequestTooLargeException', `Request body larger than ${MAX_BODY_BYTES} bytes`);
      } else {
        const url = new URL(req.url ?? '/', 'http://localhost');
        response = await this.handle({
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: headersOf(req),
          body,
        });
      }
    } catch (error) {
      this.logger.error({ error: error instanceof Error ? error.stack : String(error) }, 'endpoint request failed');
      response = restJsonError(500, 'ServiceException', 'Internal error in the local endpoint', { Type: 'Service' });
    }
    const body = response.body ?? '';
    res.writeHead(response.status, { 'content-length': Buffer.byteLength(body), ...response.headers });
    res.end(body);
  }
}
