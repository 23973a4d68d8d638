import { z } from 'zod';
import { AccessSchema } from './accessSchema.js';
import { API_GATEWAY, LAMBDA } from './awsLimits.js';
import { FunctionNameSchema, FunctionSchema } from './functionSchema.js';
import { HttpApiSchema } from './httpSchema.js';
import { LakeSchema } from './lakeSchema.js';
import { TableNameSchema, TableSchema } from './tableSchema.js';
import { ThrottleSchema } from './throttleSchema.js';
import { WebSocketApiSchema } from './websocketSchema.js';

export const LimitsSchema = z.strictObject({
  /** The account's concurrent executions quota for the Region. */
  accountConcurrency: z.number().int().min(1).default(LAMBDA.defaultAccountConcurrency),
  /** API Gateway's account throttle for the Region (10,000 rps, burst 5,000), raisable on AWS by quota request. */
  apiGatewayThrottle: ThrottleSchema.default({
    rateLimit: API_GATEWAY.accountRateLimit,
    burstLimit: API_GATEWAY.accountBurstLimit,
  }),
});
export type Limits = z.infer<typeof LimitsSchema>;

/**
 * The whole app: the single source of truth for `tributary.config.ts`.
 * Cross-field rules (reserved concurrency budget, destination references) are checked here too, so one
 * parse reports every problem at once.
 */
export const AppSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must start with a letter; letters, digits and -'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'must be an AWS Region code such as us-east-1')
      .default('us-east-1'),
    limits: LimitsSchema.default(() => LimitsSchema.parse({})),
    functions: z.record(FunctionNameSchema, FunctionSchema).default({}),
    /** The HTTP API in front of the functions (API Gateway). */
    http: HttpApiSchema.optional(),
    /** The WebSocket API (API Gateway), for pushing results back to clients. */
    websocket: WebSocketApiSchema.optional(),
    /** The data lake: buckets, Glue-like tables, and Firehose-style delivery streams into them. */
    lake: LakeSchema.optional(),
    /** DynamoDB tables (keys, indexes, stream, TTL), created when `dev` starts; their data survives restarts. */
    tables: z.record(TableNameSchema, TableSchema).default({}),
    /** Who may query which tables and touch which prefixes (the lake's per-department access control). */
    access: AccessSchema.optional(),
  })
  .superRefine((app, ctx) => {
    const reservable = app.limits.accountConcurrency - LAMBDA.minimumUnreservedConcurrency;
    let reserved = 0;
    for (const [name, fn] of Object.entries(app.functions)) {
      reserved += fn.reservedConcurrency ?? 0;
      for (const key of ['onSuccess', 'onFailure'] as const) {
        const destination = fn.async[key];
        if (destination !== undefined && 'function' in destination && !(destination.function in app.functions)) {
          ctx.addIssue({
            code: 'custom',
            path: ['functions', name, 'async', key, 'function'],
            message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
            input: destination.function,
          });
        }
      }
    }
    checkEventSources(app, ctx);
    for (const [routeKey, target] of Object.entries(app.http?.routes ?? {})) {
      if ('function' in target && !(target.function in app.functions)) {
        ctx.addIssue({
          code: 'custom',
          path: ['http', 'routes', routeKey, 'function'],
          message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
          input: target.function,
        });
      }
      if ('stream' in target && !(target.stream in (app.lake?.streams ?? {}))) {
        ctx.addIssue({
          code: 'custom',
          path: ['http', 'routes', routeKey, 'stream'],
          message: `names no delivery stream of lake.streams (streams: ${Object.keys(app.lake?.streams ?? {}).join(', ') || 'none'})`,
          input: target.stream,
        });
      }
    }
    const websocketTargets: [(string | number)[], string][] = Object.entries(app.websocket?.routes ?? {}).map(
      ([key, target]) => [['websocket', 'routes', key, 'function'], target.function],
    );
    if (app.websocket?.authorizer !== undefined)
      websocketTargets.push([['websocket', 'authorizer', 'function'], app.websocket.authorizer.function]);
    for (const [path, target] of websocketTargets) {
      if (!(target in app.functions)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
          input: target,
        });
      }
    }
    for (const [name, authorizer] of Object.entries(app.http?.authorizers ?? {})) {
      if (authorizer.type === 'lambda' && !(authorizer.function in app.functions)) {
        ctx.addIssue({
          code: 'custom',
          path: ['http', 'authorizers', name, 'function'],
          message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
          input: authorizer.function,
        });
      }
    }
    checkLake(app.lake, ctx);
    for (const [name, principal] of Object.entries(app.access?.principals ?? {})) {
      for (const table of principal.tables) {
        const bare = table.includes('.') ? table.slice(table.indexOf('.') + 1) : table;
        if (table !== '*' && !(bare in (app.lake?.tables ?? {})))
          ctx.addIssue({
            code: 'custom',
            path: ['access', 'principals', name, 'tables'],
            message: `names no table of lake.tables (tables: ${Object.keys(app.lake?.tables ?? {}).join(', ') || 'none'})`,
            input: table,
          });
      }
    }
    if (reserved > 0 && reserved > reservable) {
      ctx.addIssue({
        code: 'custom',
        path: ['functions'],
        message: `reserved concurrency adds up to ${reserved}, but at most ${Math.max(0, reservable)} may be reserved (limits.accountConcurrency ${app.limits.accountConcurrency} minus the ${LAMBDA.minimumUnreservedConcurrency} that stay unreserved)`,
      });
    }
  });

/** The validated, immutable app every consumer reads (runtime, check, synth). */
export type AppModel = Readonly<z.infer<typeof AppSchema>>;
/** What a user writes in `tributary.config.ts`: defaults may be left out. */
export type AppConfig = z.input<typeof AppSchema>;

/** Streams and tables name declared buckets and tables; Parquet needs a table; expression rules as Firehose's. */
function checkLake(lake: z.infer<typeof LakeSchema> | undefined, ctx: z.core.$RefinementCtx): void {
  if (lake === undefined) return;
  const problem = (path: (string | number)[], message: string, input?: unknown): void =>
    ctx.addIssue({ code: 'custom', path: ['lake', ...path], message, input });
  const buckets = `(buckets: ${lake.buckets.join(', ') || 'none'})`;
  for (const [name, table] of Object.entries(lake.tables)) {
    if (!lake.buckets.includes(table.bucket))
      problem(['tables', name, 'bucket'], `is not one of lake.buckets ${buckets}`, table.bucket);
  }
  for (const [name, stream] of Object.entries(lake.streams)) {
    if (!lake.buckets.includes(stream.bucket))
      problem(['streams', name, 'bucket'], `is not one of lake.buckets ${buckets}`, stream.bucket);
    if (stream.table !== undefined && !(stream.table in lake.tables))
      problem(
        ['streams', name, 'table'],
        `names no table of lake.tables (tables: ${Object.keys(lake.tables).join(', ') || 'none'})`,
        stream.table,
      );
    if (stream.format === 'parquet' && stream.buffering.sizeInMBs < 64)
      problem(
        ['streams', name, 'buffering', 'sizeInMBs'],
        'must be at least 64 with record format conversion (Parquet), as Firehose requires',
        stream.buffering.sizeInMBs,
      );
    if (stream.dynamicPartitioning !== undefined && stream.buffering.intervalInSeconds === 0)
      problem(
        ['streams', name, 'buffering', 'intervalInSeconds'],
        'cannot be 0 with dynamic partitioning (zero buffering is not available with it)',
        0,
      );
    if (stream.format === 'parquet' && stream.table === undefined)
      problem(['streams', name, 'table'], "is required for Parquet: its columns are the files' schema");
    if (stream.prefix.includes('!{firehose:error-output-type}'))
      problem(['streams', name, 'prefix'], 'may not contain !{firehose:error-output-type}', stream.prefix);
    const keys = Object.keys(stream.dynamicPartitioning?.keys ?? {});
    for (const used of stream.prefix.matchAll(/!\{partitionKeyFromQuery:([^}]*)\}/g)) {
      if (!keys.includes(used[1] ?? ''))
        problem(
          ['streams', name, 'prefix'],
          `uses partition key "${used[1]}", which dynamicPartitioning.keys does not define`,
          stream.prefix,
        );
    }
    if (keys.length > 0 && !stream.prefix.includes('!{partitionKeyFromQuery:'))
      problem(
        ['streams', name, 'prefix'],
        'must use the partition keys (!{partitionKeyFromQuery:name})',
        stream.prefix,
      );
    if (stream.prefix.includes('!{') && stream.errorOutputPrefix === undefined)
      problem(['streams', name, 'errorOutputPrefix'], 'is required when prefix has expressions');
    if (
      stream.errorOutputPrefix !== undefined &&
      stream.prefix.includes('!{') &&
      !stream.errorOutputPrefix.includes('!{firehose:error-output-type}')
    )
      problem(
        ['streams', name, 'errorOutputPrefix'],
        'must contain !{firehose:error-output-type} when prefix has expressions',
        stream.errorOutputPrefix,
      );
    if (stream.errorOutputPrefix?.includes('!{partitionKeyFromQuery:') === true)
      problem(['streams', name, 'errorOutputPrefix'], 'may not use partition keys', stream.errorOutputPrefix);
  }
}

/** Each event source names a table of this app whose stream is on; an on-failure bucket exists in the lake. */
function checkEventSources(app: z.infer<typeof AppSchema>, ctx: z.core.$RefinementCtx): void {
  for (const [name, fn] of Object.entries(app.functions)) {
    fn.events.forEach((source, index) => {
      const table = app.tables[source.stream];
      if (table === undefined || table.stream === undefined) {
        const streams = Object.entries(app.tables).filter(([, t]) => t.stream !== undefined);
        ctx.addIssue({
          code: 'custom',
          path: ['functions', name, 'events', index, 'stream'],
          message:
            table === undefined
              ? `names no table of this app (tables with a stream: ${streams.map(([n]) => n).join(', ') || 'none'})`
              : 'names a table without a stream: set tables.<name>.stream to a StreamViewType',
          input: source.stream,
        });
      }
      const bucket = source.onFailure?.bucket;
      if (bucket !== undefined && !(app.lake?.buckets ?? []).includes(bucket)) {
        ctx.addIssue({
          code: 'custom',
          path: ['functions', name, 'events', index, 'onFailure', 'bucket'],
          message: `names no bucket of lake.buckets (buckets: ${(app.lake?.buckets ?? []).join(', ') || 'none'})`,
          input: bucket,
        });
      }
    });
  }
}
