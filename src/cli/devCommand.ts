import { DevSession } from '../dev/devSession.js';
import { WEBSOCKET_STAGE } from '../gateway/websocket/websocketGateway.js';
import { createLogger } from '../shared/logger.js';
import { functionLines, summaryLine } from './formatRecord.js';

export interface DevCommandOptions {
  readonly dataDir?: string;
  readonly verbose?: boolean;
  readonly idleTimeout?: number;
  readonly edgePort?: number;
  readonly timeScale?: number;
  readonly port?: number;
  readonly wsPort?: number;
}

/** `tributary dev [dir]`: starts the app, prints what it serves, streams invocations; Ctrl-C drains and stops. */
export async function devCommand(dir: string, options: DevCommandOptions): Promise<void> {
  const logger = createLogger({ level: options.verbose === true ? 'debug' : 'warn' });
  const session = await DevSession.start({
    appDir: dir,
    logger,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.idleTimeout === undefined ? {} : { idleTimeoutMs: options.idleTimeout * 1000 }),
    ...(options.edgePort === undefined ? {} : { edgePort: options.edgePort }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    ...(options.port === undefined ? {} : { httpPort: options.port }),
    ...(options.wsPort === undefined ? {} : { wsPort: options.wsPort }),
  });
  // Signal handlers before the first line is printed: whoever waits for any of it may send SIGINT at once, and
  // without a listener Node's default handler would kill the process instead of draining it.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        console.error(`${signal} again: stopping at once`);
        process.exit(130);
      }
      stopping = true;
      const running = session.runtime.concurrency();
      console.log(`stopping: draining ${running} in-flight invocation${running === 1 ? '' : 's'}...`);
      void session.stop().then(() => {
        console.log('stopped');
        resolve();
      });
    };
    // `on`, not `once`: a second Ctrl-C must reach `stop` (and exit at once), not Node's default handler.
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  const { model } = session.app;
  const follow = (runtime: typeof session.runtime): void => {
    runtime.records.subscribe((record) => {
      console.log(summaryLine(record));
      for (const line of functionLines(record)) console.log(line);
    });
  };
  follow(session.runtime);
  session.events.on('config-reloaded', () => {
    console.log('config changed: app reloaded');
    follow(session.runtime);
  });
  session.events.on('config-error', (error) =>
    console.error(`config changed but is invalid, still running the previous one:\n${error.message}`),
  );

  console.log(`Tributary dev: app "${model.name}" (${model.region}) from ${session.app.dir}`);
  console.log(`  data      ${session.dataDir}`);
  if (session.endpointUrl !== undefined) {
    console.log(
      `  AWS endpoint ${session.endpointUrl}  (Lambda, S3, DynamoDB + Streams, Firehose, Athena, @connections; use it as AWS_ENDPOINT_URL with any AWS SDK or the AWS CLI)`,
    );
  }
  if (session.httpUrl !== undefined && model.http !== undefined) {
    const kind = { http: 'HTTP API', rest: 'REST API', alb: 'Load balancer' }[model.http.type];
    console.log(`  ${kind}  ${session.httpUrl}`);
    for (const [routeKey, target] of Object.entries(model.http.routes)) {
      const [method = '', path = ''] = routeKey.split(' ');
      const shown =
        routeKey === '$default' ? `${session.httpUrl}/*  ($default)` : `${method.padEnd(6)} ${session.httpUrl}${path}`;
      console.log(`    ${shown}  -> ${'stream' in target ? `delivery stream ${target.stream}` : target.function}`);
    }
  }
  if (session.websocketUrl !== undefined && model.websocket !== undefined) {
    console.log(`  WebSocket API  ${session.websocketUrl}  (route by ${model.websocket.routeSelectionExpression})`);
    for (const [routeKey, target] of Object.entries(model.websocket.routes))
      console.log(`    ${routeKey.padEnd(14)} -> ${target.function}`);
    console.log(
      `    @connections  ${session.endpointUrl ?? session.websocketUrl.replace(/^ws:/, 'http:')}/${WEBSOCKET_STAGE}/@connections/{connectionId}`,
    );
  }
  if (Object.keys(model.tables).length > 0) {
    console.log('  DynamoDB tables (on the AWS endpoint):');
    for (const [name, table] of Object.entries(model.tables)) {
      const key = [table.partitionKey.name, table.sortKey?.name].filter(Boolean).join(' + ');
      const consumers = Object.entries(model.functions)
        .filter(([, fn]) => fn.events.some((source) => source.stream === name))
        .map(([fn]) => fn);
      const stream = table.stream === undefined ? 'no stream' : `stream ${table.stream}`;
      console.log(
        `    ${name.padEnd(14)} key ${key}; ${stream}${consumers.length > 0 ? ` -> ${consumers.join(', ')}` : ''}`,
      );
    }
  }
  if (session.streams !== undefined && model.lake !== undefined) {
    console.log(
      `  lake      buckets: ${model.lake.buckets.join(', ') || 'none'}; Firehose streams on the AWS endpoint:`,
    );
    for (const [name, stream] of Object.entries(model.lake.streams))
      console.log(
        `    ${name.padEnd(14)} -> s3://${stream.bucket}/${stream.prefix}  (${stream.format}, ${stream.buffering.sizeInMBs} MB / ${stream.buffering.intervalInSeconds} s)`,
      );
  }
  if (session.queries !== undefined && model.lake !== undefined) {
    const tables = Object.entries(model.lake.tables).map(([name, t]) => `${t.database}.${name}`);
    console.log(`  tables    ${tables.join(', ')}  (Athena API on the endpoint; npx tributary query "<sql>")`);
    console.log(
      model.access === undefined
        ? '  access    none declared: every caller may query and write everything (dev default)'
        : `  access    principals: ${Object.keys(model.access.principals).join(', ')}`,
    );
  }
  console.log(`  functions (${Object.keys(model.functions).length}):`);
  for (const [name, fn] of Object.entries(model.functions)) {
    const reserved = fn.reservedConcurrency === undefined ? '' : `, reserved ${fn.reservedConcurrency}`;
    console.log(`    ${name.padEnd(14)} ${fn.handler}  (${fn.memorySize} MB, ${fn.timeout} s${reserved})`);
  }
  console.log(`  invoke    npx tributary invoke <function> --app ${dir} --event event.json`);
  console.log(`  logs      npx tributary logs --app ${dir} --follow`);
  console.log('Watching for changes. Ctrl-C to stop.');
  await stopped;
}
