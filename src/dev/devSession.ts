import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import { s3Allowed } from '../access/lakeAccess.js';
import { AthenaService } from '../edge/athena/athenaService.js';
import { ConnectionsService } from '../edge/connections/connectionsService.js';
import { DynamoDbService } from '../edge/dynamodb/dynamoDbService.js';
import { EdgeServer } from '../edge/edgeServer.js';
import { FirehoseService } from '../edge/firehose/firehoseService.js';
import { LambdaService } from '../edge/lambda/lambdaService.js';
import { S3Service } from '../edge/s3/s3Service.js';
import { sigV4Scope } from '../edge/sigV4Scope.js';
import { CheckpointStore } from '../eventSources/checkpointStore.js';
import { EventSourceMappings } from '../eventSources/eventSourceMappings.js';
import { HttpGateway } from '../gateway/httpGateway.js';
import { WebSocketGateway } from '../gateway/websocket/websocketGateway.js';
import { FsObjectStore } from '../lake/fsObjectStore.js';
import { LocalObjectSink, S3ObjectSink } from '../lake/objectSink.js';
import type { DeliveryStreams } from '../lake/streams/deliveryStreams.js';
import { type LoadedApp, loadApp } from '../model/loadApp.js';
import type { QueryEngine } from '../query/queryEngine.js';
import { QueryService } from '../query/queryService.js';
import { CodeWatcher } from '../runtime/codeWatcher.js';
import { FunctionRuntime } from '../runtime/functionRuntime.js';
import { LOCAL_CREDENTIALS } from '../runtime/reservedEnvironment.js';
import { type Clock, SystemClock } from '../shared/clock.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { LocalTables } from '../tables/localTables.js';

export interface DevSessionOptions {
  readonly appDir: string;
  /** Default `<appDir>/.tributary`. */
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Watch files for hot reload (default true). */
  readonly watch?: boolean;
  readonly idleTimeoutMs?: number;
  /** Port of the local AWS endpoint on 127.0.0.1 (default 4566; 0 picks a free one; false: no endpoint). */
  readonly edgePort?: number | false;
  /** Port of the HTTP API on 127.0.0.1 when the app has an `http` section (default 3000; 0: a free one; false: none). */
  readonly httpPort?: number | false;
  /** Port of the WebSocket API when the app has a `websocket` section (default 3001; 0: a free one; false: none). */
  readonly wsPort?: number | false;
  /** At most this many execution environments at once (default: what the machine can map, ~660 on Linux). */
  readonly environmentCeiling?: number;
  /** How often expired TTL items are deleted (default 60 s of the clock). */
  readonly ttlSweepMs?: number;
  /** Delay before the n-th retry of a failed stream batch (default 1 s doubling up to 60 s). */
  readonly streamRetryDelayMs?: (attempt: number) => number;
  /** Divides the async queue's delays (retries, backoff, event age) by this (default 1). Ignored with `clock`. */
  readonly timeScale?: number;
}

export interface DevSessionEvents {
  /** The config changed and the app was reloaded with it. */
  'config-reloaded': [LoadedApp];
  /** The config changed but is invalid; the previous app keeps running. */
  'config-error': [Error];
}

/** The data directory of an app: `<appDir>/.tributary` unless given. */
export function resolveDataDir(appDir: string, dataDir?: string): string {
  return dataDir === undefined ? join(resolve(appDir), '.tributary') : resolve(dataDir);
}

/**
 * Everything `tributary dev` runs for one app folder: the function runtime and the file watcher (later the
 * HTTP API, the AWS endpoint and the lake join it here). A code change recycles only the functions built
 * from the changed file; a config change reloads the app, keeping the old one if the new config is invalid.
 *
 * @example
 * const session = await DevSession.start({ appDir: 'examples/acme' });
 * await session.runtime.invoke({ functionName: 'profile', payload: '{"pathParameters":{"id":"c-1"}}' });
 * await session.stop();
 */
export class DevSession {
  readonly events = new EventEmitter<DevSessionEvents>();
  readonly dataDir: string;
  private current: FunctionRuntime;
  private watcher: CodeWatcher | undefined;
  private edge: EdgeServer | undefined;
  /** The local AWS endpoint's URL, when it runs. */
  endpointUrl: string | undefined;
  /** The app's object store (S3 buckets), under `<dataDir>/s3`. */
  objectStore: FsObjectStore | undefined;
  /** The HTTP API's base URL, when the app has one. */
  httpUrl: string | undefined;
  /** The WebSocket API's `ws://` URL, when the app has one. */
  websocketUrl: string | undefined;
  /** The lake's delivery streams, when the app declares `lake.streams`. */
  streams: DeliveryStreams | undefined;
  /** The Athena-compatible query service, when the app declares `lake.tables`. */
  queries: QueryService | undefined;
  private queryEngine: QueryEngine | undefined;
  private openedTables: LocalTables | undefined;
  private checkpoints: CheckpointStore | undefined;
  /** The running event source mappings (stream pollers), when any function has `events`. */
  mappings: EventSourceMappings | undefined;
  private gateway: HttpGateway | undefined;
  private websocket: WebSocketGateway | undefined;
  private readonly options: DevSessionOptions;
  private readonly logger: Logger;

  private constructor(options: DevSessionOptions, runtime: FunctionRuntime) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.dataDir = resolveDataDir(options.appDir, options.dataDir);
    this.current = runtime;
  }

  /** Loads and validates the app (throwing its config errors) and starts it. */
  static async start(options: DevSessionOptions): Promise<DevSession> {
    const dataDir = resolveDataDir(options.appDir, options.dataDir);
    const app = await loadApp(options.appDir, { buildDir: join(dataDir, 'build') });
    const logger = options.logger ?? silentLogger;
    // The endpoint listens first so functions can be told its URL; it reads the runtime per request.
    let session: DevSession | undefined;
    let edge: EdgeServer | undefined;
    let endpointUrl: string | undefined;
    // One object store for the app's lifetime: the S3 API and the runtime's bucket destinations share it.
    const objectStore = new FsObjectStore(join(dataDir, 's3'));
    if (options.edgePort !== false) {
      const runtime = (): FunctionRuntime => (session as DevSession).runtime;
      edge = new EdgeServer({
        services: [
          new LambdaService(runtime, logger),
          new ConnectionsService(() => session?.websocket?.registry),
          new DynamoDbService(() => session?.tables),
          new FirehoseService(
            () => session?.streams,
            () => runtime().app.model.region,
          ),
          new AthenaService({ queries: () => session?.queries, access: () => runtime().app.model.access }),
          new S3Service({
            store: objectStore,
            region: () => runtime().app.model.region,
            endpoint: () => endpointUrl ?? '',
            logger,
            allow: (request, location) =>
              s3Allowed(
                runtime().app.model.access,
                runtime().app.model.lake?.buckets ?? [],
                LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
                {
                  accessKeyId: sigV4Scope(request.headers.authorization, request.query)?.accessKeyId,
                  method: request.method,
                  bucket: location.bucket,
                  key: location.key,
                  query: request.query,
                  copySource: request.headers['x-amz-copy-source'],
                },
              ),
          }),
        ],
        logger,
        region: () => runtime().app.model.region,
      });
      try {
        endpointUrl = await edge.start({ port: options.edgePort ?? 4566 });
      } catch (error) {
        objectStore.close();
        throw error;
      }
    }
    const started = new DevSession(options, DevSession.createRuntime(app, dataDir, options, endpointUrl, objectStore));
    session = started;
    started.objectStore = objectStore;
    started.edge = edge;
    started.endpointUrl = endpointUrl;
    // Anything failing from here (a taken HTTP port) stops what already runs, so nothing is left listening or open.
    try {
      started.streams = await started.startStreams(app);
      await started.startTables(app);
      await started.startQueries(app);
      if (app.model.http !== undefined && options.httpPort !== false) {
        started.gateway = new HttpGateway({
          runtime: () => started.runtime,
          clock: () => started.runtime.clock,
          streams: () => started.streams,
          logger,
        });
        started.httpUrl = await started.gateway.start({ port: options.httpPort ?? 3000 });
      }
      if (app.model.websocket !== undefined && options.wsPort !== false) {
        started.websocket = new WebSocketGateway({
          runtime: () => started.runtime,
          clock: () => started.runtime.clock,
          logger,
        });
        started.websocketUrl = await started.websocket.start({
          port: options.wsPort ?? 3001,
          ...(edge === undefined ? {} : { handleHttp: edge.listener }),
        });
      }
      started.runtime.start();
      started.startMappings(app);
      if (options.watch !== false) {
        started.watcher = await CodeWatcher.start({
          appDir: app.dir,
          ignore: [dataDir],
          logger,
          onChange: (file) => void started.fileChanged(file),
        });
      }
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }

  /** The running function runtime (replaced when the config is reloaded). */
  get runtime(): FunctionRuntime {
    return this.current;
  }

  get app(): LoadedApp {
    return this.current.app;
  }

  /** Stops watching and serving, drains in-flight invocations, stops every environment. */
  async stop(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
    await this.gateway?.dispose();
    this.gateway = undefined;
    await this.mappings?.stop();
    this.mappings = undefined;
    await this.websocket?.dispose();
    this.websocket = undefined;
    await this.current.dispose();
    await this.streams?.close();
    this.streams = undefined;
    this.stopQueries();
    await this.edge?.dispose();
    this.edge = undefined;
    this.checkpoints?.close();
    this.checkpoints = undefined;
    await this.openedTables?.close();
    this.openedTables = undefined;
    this.objectStore?.close();
  }

  /**
   * The app's DynamoDB tables (opened on first use, or at start when the config declares tables): data and streams
   * under `<dataDir>/dynamodb`.
   */
  get tables(): LocalTables {
    this.openedTables ??= LocalTables.open({
      dir: join(this.dataDir, 'dynamodb'),
      region: this.current.app.model.region,
      clock: this.options.clock ?? new SystemClock(),
      logger: this.logger,
      ...(this.options.ttlSweepMs === undefined ? {} : { ttlSweepMs: this.options.ttlSweepMs }),
    });
    return this.openedTables;
  }

  /** Creates the declared tables that are missing and applies their stream and TTL settings. */
  private async startTables(app: LoadedApp): Promise<void> {
    if (Object.keys(app.model.tables).length > 0) await this.tables.ensureDeclared(app.model.tables);
  }

  /** Starts the event source mappings of the app's functions (resuming at their checkpoints). */
  private startMappings(app: LoadedApp): void {
    if (!Object.values(app.model.functions).some((fn) => fn.events.length > 0)) return;
    this.checkpoints ??= CheckpointStore.open(join(this.dataDir, 'event-sources.db'));
    this.mappings = EventSourceMappings.start({
      app,
      runtime: () => this.runtime,
      streams: this.tables.streams,
      checkpoints: this.checkpoints,
      objectStore: this.objectStore,
      clock: this.options.clock ?? new SystemClock(),
      logger: this.logger,
      ...(this.options.streamRetryDelayMs === undefined ? {} : { retryDelayMs: this.options.streamRetryDelayMs }),
    });
  }

  /** The lake's buckets and delivery streams (replaying what a previous run left undelivered). */
  private async startStreams(app: LoadedApp): Promise<DeliveryStreams | undefined> {
    const lake = app.model.lake;
    if (lake === undefined || this.objectStore === undefined) return undefined;
    const sink =
      lake.store === 'local'
        ? new LocalObjectSink(this.objectStore)
        : new S3ObjectSink({
            ...(lake.store.s3.endpoint === undefined ? {} : { endpoint: lake.store.s3.endpoint }),
            region: lake.store.s3.region ?? app.model.region,
            forcePathStyle: lake.store.s3.forcePathStyle,
          });
    // DuckDB (a native library) loads only for apps with a lake.
    const { DeliveryStreams } = await import('../lake/streams/deliveryStreams.js');
    return DeliveryStreams.start({
      lake,
      dataDir: this.dataDir,
      sink,
      clock: this.options.clock ?? new SystemClock(),
      logger: this.logger,
      region: app.model.region,
    });
  }

  /** The query engine and Athena's lifecycle over the lake's tables (local store only: the files are read in place). */
  private async startQueries(app: LoadedApp): Promise<void> {
    const lake = app.model.lake;
    if (lake === undefined || Object.keys(lake.tables).length === 0 || this.objectStore === undefined) return;
    const memoryLimitMB = Math.max(1024, ...Object.values(lake.workgroups).map((w) => w.memoryLimitMB));
    const { QueryEngine } = await import('../query/queryEngine.js');
    this.queryEngine = await QueryEngine.start({
      lake,
      s3Root: join(this.dataDir, 's3'),
      memoryLimitMB,
      clock: this.current.clock,
    });
    this.queries = new QueryService({
      engine: this.queryEngine,
      lake,
      sink: new LocalObjectSink(this.objectStore),
      clock: this.options.clock ?? new SystemClock(),
      logger: this.logger,
    });
  }

  private stopQueries(): void {
    this.queryEngine?.close();
    this.queryEngine = undefined;
    this.queries = undefined;
  }

  private static createRuntime(
    app: LoadedApp,
    dataDir: string,
    options: DevSessionOptions,
    endpointUrl: string | undefined,
    objectStore: FsObjectStore | undefined,
  ): FunctionRuntime {
    return new FunctionRuntime({
      app,
      dataDir,
      ...(objectStore === undefined ? {} : { objectStore }),
      ...(endpointUrl === undefined ? {} : { endpointUrl }),
      ...(options.clock === undefined && options.timeScale !== undefined
        ? { asyncClock: new SystemClock(options.timeScale) }
        : {}),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.environmentCeiling === undefined ? {} : { environmentCeiling: options.environmentCeiling }),
    });
  }

  private async fileChanged(file: string): Promise<void> {
    if (file !== this.current.app.configFile) {
      const reloaded = this.current.codeChanged(file);
      if (reloaded.length > 0) this.logger.info({ file, functions: reloaded }, 'code changed; environments recycled');
      return;
    }
    try {
      const app = await loadApp(this.options.appDir, { buildDir: join(this.dataDir, 'build') });
      const previous = this.current;
      await this.mappings?.stop();
      this.mappings = undefined;
      this.current = DevSession.createRuntime(app, this.dataDir, this.options, this.endpointUrl, this.objectStore);
      await previous.dispose();
      // Only one dispatcher may own the async queue: the new one starts once the old one stopped.
      this.current.start();
      // Streams deliver what they buffer, then start again with the new config (their journals carry over).
      await this.streams?.close();
      this.streams = await this.startStreams(app);
      this.stopQueries();
      await this.startQueries(app);
      await this.startTables(app);
      this.startMappings(app);
      this.logger.info({ file }, 'config changed; app reloaded');
      this.events.emit('config-reloaded', app);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.logger.error({ error: failure.message }, 'config changed but is invalid; still running the previous one');
      this.events.emit('config-error', failure);
    }
  }
}
