import { z } from 'zod';
import { ARCHITECTURES, LAMBDA, LAMBDA_ASYNC, NODE_RUNTIMES, RESERVED_ENVIRONMENT_KEYS } from './awsLimits.js';
import { StreamEventSourceSchema } from './eventSourceSchema.js';

/** Where an async invocation's record goes: another function, a queue, or a bucket prefix. */
export const DestinationSchema = z.union([
  z.strictObject({ function: z.string().min(1) }),
  z.strictObject({ queue: z.string().min(1) }),
  z.strictObject({ bucket: z.string().min(1), prefix: z.string().optional() }),
]);
export type Destination = z.infer<typeof DestinationSchema>;

/** Async invocation settings, as `PutFunctionEventInvokeConfig` takes them. */
export const AsyncConfigSchema = z.strictObject({
  maximumRetryAttempts: z
    .number()
    .int()
    .min(LAMBDA_ASYNC.minRetryAttempts)
    .max(LAMBDA_ASYNC.maxRetryAttempts)
    .default(LAMBDA_ASYNC.defaultRetryAttempts),
  maximumEventAgeInSeconds: z
    .number()
    .int()
    .min(LAMBDA_ASYNC.minEventAgeSeconds)
    .max(LAMBDA_ASYNC.maxEventAgeSeconds)
    .default(LAMBDA_ASYNC.defaultEventAgeSeconds),
  onSuccess: DestinationSchema.optional(),
  onFailure: DestinationSchema.optional(),
});
export type AsyncConfig = z.infer<typeof AsyncConfigSchema>;

const reservedKeys: ReadonlySet<string> = new Set(RESERVED_ENVIRONMENT_KEYS);

/** A function's environment variables: AWS's key syntax, no reserved keys, 4 KB in all. */
export const EnvironmentSchema = z
  .record(
    z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9_]+$/, 'must start with a letter and hold only letters, digits and _ (2+ chars)')
      .refine((key) => !reservedKeys.has(key), { message: 'is a key Lambda reserves and sets itself' }),
    z.string(),
  )
  .refine(
    (env) =>
      Object.entries(env).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0) <=
      LAMBDA.maxEnvironmentBytes,
    { message: `total size of keys and values must be at most ${LAMBDA.maxEnvironmentBytes} bytes` },
  );

/** One Lambda function: `functions.<name>` in the config. */
export const FunctionSchema = z.strictObject({
  /** `path/file.exportName`, relative to the app folder, as Lambda's `Handler`. */
  handler: z
    .string()
    .max(LAMBDA.maxHandlerLength)
    .regex(/^[^\s]+\.[A-Za-z_$][\w$]*$/, 'must be "path/file.exportName", e.g. "src/orders.handler"'),
  description: z.string().max(256).optional(),
  runtime: z.enum(NODE_RUNTIMES).default('nodejs20.x'),
  architecture: z.enum(ARCHITECTURES).default('x86_64'),
  memorySize: z.number().int().min(LAMBDA.minMemoryMb).max(LAMBDA.maxMemoryMb).default(LAMBDA.defaultMemoryMb),
  timeout: z.number().int().min(1).max(LAMBDA.maxTimeoutSeconds).default(LAMBDA.defaultTimeoutSeconds),
  environment: EnvironmentSchema.default({}),
  reservedConcurrency: z.number().int().min(0).optional(),
  async: AsyncConfigSchema.default(() => AsyncConfigSchema.parse({})),
  /** Event source mappings: the streams that invoke this function with batches of records. */
  events: z.array(StreamEventSourceSchema).default([]),
});
export type FunctionConfig = z.infer<typeof FunctionSchema>;
export type FunctionInput = z.input<typeof FunctionSchema>;

/** Function names as Lambda allows them. */
export const FunctionNameSchema = z
  .string()
  .regex(
    new RegExp(`^[a-zA-Z0-9_-]{1,${LAMBDA.maxFunctionNameLength}}$`),
    `must be 1-${LAMBDA.maxFunctionNameLength} letters, digits, - or _`,
  );
