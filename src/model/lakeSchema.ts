import { z } from 'zod';
import { ATHENA, FIREHOSE } from './awsLimits.js';

/** S3 bucket names as S3 accepts them (lowercase, digits, `.` and `-`, 3–63 characters). */
export const BucketNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)');

/**
 * A column type in Glue's vocabulary: `string`, `bigint`, `int`, `double`, `float`, `boolean`, `timestamp`,
 * `date`, `decimal(p,s)`, `array<T>`, `struct<a:T,b:U>`.
 */
export const ColumnTypeSchema = z
  .string()
  .regex(
    /^(string|bigint|int|smallint|tinyint|double|float|boolean|timestamp|date|decimal\(\d{1,2},\d{1,2}\)|array<.+>|struct<.+>)$/,
    'must be a Glue column type: string, bigint, int, double, float, boolean, timestamp, date, decimal(p,s), array<T> or struct<name:T,...>',
  );

/** A Glue-like table: columns over a bucket prefix, partitioned by keys that appear as `key=value/` in paths. */
export const TableSchema = z.strictObject({
  database: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be lowercase letters, digits and _')
    .default('default'),
  bucket: BucketNameSchema,
  /** Where the table's files live, e.g. `hr/` (no leading slash). */
  prefix: z
    .string()
    .regex(/^([^/.][^/]*\/)*$/, 'must be empty or end with / and have no leading / or . segments')
    .default(''),
  format: z.enum(['parquet', 'json']).default('parquet'),
  columns: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase column name'), ColumnTypeSchema),
  /** Partition columns, in path order: `dept=hr/` … */
  partitionKeys: z
    .record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.enum(['string', 'bigint', 'int', 'date']))
    .default({}),
});
export type LakeTable = z.infer<typeof TableSchema>;

/**
 * A delivery stream (Firehose Direct PUT to S3): records are buffered per active partition and delivered as one
 * object per flush, converted to Parquet with the table's schema or kept as JSON lines.
 */
export const StreamSchema = z.strictObject({
  bucket: BucketNameSchema,
  /** Key prefix, with `!{timestamp:…}`, `!{firehose:random-string}`, `!{partitionKeyFromQuery:…}`. */
  prefix: z.string().max(1024).default(''),
  /** Where records that cannot be delivered go; must contain `!{firehose:error-output-type}` when `prefix` has expressions. */
  errorOutputPrefix: z.string().max(1024).optional(),
  buffering: z
    .strictObject({
      sizeInMBs: z.number().int().min(FIREHOSE.minBufferMb).max(FIREHOSE.maxBufferMb).default(FIREHOSE.defaultBufferMb),
      intervalInSeconds: z.number().int().min(0).max(FIREHOSE.maxBufferSeconds).default(FIREHOSE.defaultBufferSeconds),
    })
    .default({ sizeInMBs: FIREHOSE.defaultBufferMb, intervalInSeconds: FIREHOSE.defaultBufferSeconds }),
  format: z.enum(['parquet', 'json']).default('json'),
  /** The `lake.tables` entry whose columns drive conversion (required for Parquet). */
  table: z.string().optional(),
  compression: z.enum(['zstd', 'snappy', 'uncompressed']).default('snappy'),
  /** Partition keys extracted from each JSON record by JQ-style paths (`.dept`, `.meta.region`). */
  dynamicPartitioning: z
    .strictObject({
      keys: z.record(
        z.string().regex(/^[A-Za-z0-9_]+$/),
        z.string().regex(/^(\.[A-Za-z0-9_]+)+$/, 'must be a JQ path such as .dept or .meta.region'),
      ),
    })
    .optional(),
  /** Add `\n` after each record in JSON objects (Firehose's AppendDelimiterToRecord). */
  appendNewline: z.boolean().default(true),
  quota: z
    .strictObject({
      recordsPerSecond: z.number().int().positive().default(FIREHOSE.recordsPerSecond),
      requestsPerSecond: z.number().int().positive().default(FIREHOSE.requestsPerSecond),
      bytesPerSecond: z.number().int().positive().default(FIREHOSE.bytesPerSecond),
    })
    .default({
      recordsPerSecond: FIREHOSE.recordsPerSecond,
      requestsPerSecond: FIREHOSE.requestsPerSecond,
      bytesPerSecond: FIREHOSE.bytesPerSecond,
    }),
  /** Distinct evaluated prefixes buffered at once; beyond it records go to the error prefix. */
  activePartitionLimit: z
    .number()
    .int()
    .min(1)
    .max(FIREHOSE.maxActivePartitions)
    .default(FIREHOSE.defaultActivePartitions),
});
export type DeliveryStream = z.infer<typeof StreamSchema>;

/**
 * Where the lake's objects live: the local directory under the data folder (default), or any S3-compatible
 * endpoint (MinIO, another Tributary, AWS itself) through the AWS SDK's S3 client, with the usual credential chain.
 */
export const ObjectStoreSchema = z.union([
  z.literal('local'),
  z.strictObject({
    s3: z.strictObject({
      endpoint: z.url().optional(),
      region: z.string().optional(),
      forcePathStyle: z.boolean().default(true),
    }),
  }),
]);
export type ObjectStoreConfig = z.infer<typeof ObjectStoreSchema>;

/** An Athena workgroup: where results go, how much a query may scan, how many run at once (more wait, queued). */
export const WorkgroupSchema = z.strictObject({
  /** `s3://bucket/prefix/`: each query's CSV and metadata are written there. */
  outputLocation: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([^/]+\/)*$/, 'must be s3://bucket/prefix/'),
  bytesScannedCutoffPerQuery: z.number().int().min(10_000_000).optional(),
  /** Queries running at once; beyond it they are QUEUED. */
  maxConcurrentQueries: z.number().int().min(1).default(ATHENA.defaultActiveQueries),
  /** Queries waiting at once; beyond it StartQueryExecution answers TooManyRequestsException. */
  maxQueuedQueries: z.number().int().min(0).default(ATHENA.defaultQueuedQueries),
  /** A query's time limit (Athena's DML default: 30 minutes). */
  queryTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(ATHENA.maxQueryTimeoutSeconds)
    .default(ATHENA.defaultQueryTimeoutSeconds),
  /** DuckDB's memory limit (the query engine takes the largest of the workgroups' and 1,024). */
  memoryLimitMB: z.number().int().min(16).default(1024),
});
export type Workgroup = z.infer<typeof WorkgroupSchema>;

/** The `lake` section: buckets, Glue-like tables, and delivery streams into them. */
export const LakeSchema = z.strictObject({
  store: ObjectStoreSchema.default('local'),
  buckets: z.array(BucketNameSchema).default([]),
  tables: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase table name'), TableSchema).default({}),
  streams: z
    .record(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'must be a delivery stream name'), StreamSchema)
    .default({}),
  /** Athena workgroups; `primary` exists even when not declared (results under the first bucket's `athena/`). */
  workgroups: z.record(z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/), WorkgroupSchema).default({}),
});
export type Lake = z.infer<typeof LakeSchema>;
