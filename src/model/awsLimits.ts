/**
 * AWS limits and defaults that the model validates against and the runtime enforces, each with its source.
 * See shared/reference/aws-semantics.md in the design repository for the full reference.
 */

/** https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const LAMBDA = {
  defaultAccountConcurrency: 1000,
  /** Reserved concurrency may use the account limit minus this many; 100 always stay unreserved. */
  minimumUnreservedConcurrency: 100,
  defaultTimeoutSeconds: 3,
  maxTimeoutSeconds: 900,
  defaultMemoryMb: 128,
  minMemoryMb: 128,
  maxMemoryMb: 10_240,
  /** Total size of a function's environment variables (keys + values), bytes. */
  maxEnvironmentBytes: 4096,
  maxFunctionNameLength: 64,
  maxHandlerLength: 128,
  /** https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html */
  maxSyncPayloadBytes: 6 * 1024 * 1024,
  /** Raised from 256 KB to 1 MB in Oct 2025. */
  maxAsyncPayloadBytes: 1024 * 1024,
  /** The figure AWS prints in Function.ResponseSizeTooLarge (sic: 100 bytes over 6 MiB). */
  responseLimitReportedBytes: 6_291_556,
  /** Init (static code) is limited to 10 s. https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html */
  initTimeoutMs: 10_000,
  /** X-Amz-Log-Result carries the last 4 KB of the execution log. */
  logTailBytes: 4096,
  /** X-Amz-Client-Context, base64, at most this many bytes. */
  maxClientContextBytes: 3583,
} as const;

/** https://docs.aws.amazon.com/lambda/latest/dg/API_PutFunctionEventInvokeConfig.html */
export const LAMBDA_ASYNC = {
  minRetryAttempts: 0,
  maxRetryAttempts: 2,
  defaultRetryAttempts: 2,
  minEventAgeSeconds: 60,
  maxEventAgeSeconds: 21_600,
  defaultEventAgeSeconds: 21_600,
} as const;

/**
 * us-east-1 first-tier prices. Secondary sources only: UNCONFIRMED against aws.amazon.com/lambda/pricing.
 * Billing is per 1 ms; since Aug 2025 the INIT phase of on-demand functions is billed too.
 */
export const LAMBDA_PRICE_USD = {
  perGbSecondX86: 0.0000166667,
  perGbSecondArm: 0.0000133334,
  perRequest: 0.2 / 1_000_000,
} as const;

/** https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html */
export const API_GATEWAY = {
  minIntegrationTimeoutMs: 50,
  maxRestIntegrationTimeoutMs: 29_000,
  maxHttpIntegrationTimeoutMs: 30_000,
  /** Request payload, REST and HTTP APIs. */
  maxPayloadBytes: 10 * 1024 * 1024,
  /** Account-level throttle per Region: steady rate and burst (token bucket). */
  accountRateLimit: 10_000,
  accountBurstLimit: 5_000,
  /** JWT authorizers: audiences per authorizer, scopes per route, JWKS fetch timeout and size. */
  maxJwtAudiences: 50,
  maxRouteScopes: 10,
  jwksTimeoutMs: 1_500,
  /** Lambda authorizers: result cache TTL (REST's default; UNCONFIRMED for HTTP APIs) and response timeout. */
  defaultAuthorizerTtlSeconds: 300,
  authorizerTimeoutMs: 10_000,
  /** REST API keys: the shortest value API Gateway accepts. */
  minApiKeyLength: 20,
} as const;

/** API Gateway WebSocket APIs. https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html */
export const WEBSOCKET = {
  maxConnectionDurationSeconds: 7_200,
  idleTimeoutSeconds: 600,
  maxMessageBytes: 128 * 1024,
  /** Bigger frames close the connection with 1009. */
  maxFrameBytes: 32 * 1024,
} as const;

/** An Application Load Balancer with a Lambda target group. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html */
export const ALB = {
  /** Request body and response JSON. */
  maxPayloadBytes: 1024 * 1024,
  /** The load balancer's idle timeout, which bounds a Lambda target's answer. */
  idleTimeoutMs: 60_000,
  maxIdleTimeoutMs: 4_000_000,
} as const;

/** Node.js runtimes a function may declare. */
export const NODE_RUNTIMES = ['nodejs20.x', 'nodejs22.x'] as const;

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;

/**
 * Environment variable names Lambda reserves; setting one is rejected, as CreateFunction does.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;

/** Amazon Data Firehose, Direct PUT to S3. https://docs.aws.amazon.com/firehose/latest/dev/limits.html */
export const FIREHOSE = {
  /** PutRecord / each PutRecordBatch record, before base64. */
  maxRecordBytes: 1_000 * 1024,
  maxBatchRecords: 500,
  maxBatchBytes: 4 * 1024 * 1024,
  minBufferMb: 1,
  maxBufferMb: 128,
  defaultBufferMb: 5,
  maxBufferSeconds: 900,
  defaultBufferSeconds: 300,
  /** Per-stream Direct PUT quota in us-east-1, us-west-2 and eu-west-1. */
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
  bytesPerSecond: 5 * 1024 * 1024,
  defaultActivePartitions: 500,
  maxActivePartitions: 5_000,
} as const;

/** Amazon Athena. https://docs.aws.amazon.com/athena/latest/ug/service-limits.html */
export const ATHENA = {
  /** Rows per GetQueryResults page. */
  maxResultsPerPage: 1_000,
  /** Active DML queries per account (us-east-1 default; the quota is per account, applied per workgroup here). */
  defaultActiveQueries: 150,
  defaultQueuedQueries: 1_000,
  defaultQueryTimeoutSeconds: 30 * 60,
  maxQueryTimeoutSeconds: 240 * 60,
  /** Query strings up to 262,144 bytes. */
  maxQueryBytes: 262_144,
} as const;

/** DynamoDB Streams. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html */
export const DYNAMODB_STREAMS = {
  /** Stream records are kept 24 hours. */
  retentionMs: 24 * 60 * 60 * 1000,
  /** GetRecords returns at most 1,000 records (or 1 MB). */
  maxRecordsPerGetRecords: 1_000,
  /** A shard iterator expires 15 minutes after it is returned. */
  iteratorLifetimeMs: 15 * 60 * 1000,
} as const;

/**
 * Lambda event source mappings for DynamoDB streams.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
export const STREAM_MAPPING = {
  defaultBatchSize: 100,
  maxBatchSize: 10_000,
  maxBatchingWindowSeconds: 300,
  /** -1: retry until the record expires. */
  maxRetryAttempts: 10_000,
  /** -1: no age limit (records still expire after the stream's 24 h retention). */
  minRecordAgeSeconds: 60,
  maxRecordAgeSeconds: 604_800,
  maxParallelizationFactor: 10,
  maxFilters: 5,
  /** Lambda polls each shard about four times a second. */
  pollIntervalMs: 250,
} as const;
