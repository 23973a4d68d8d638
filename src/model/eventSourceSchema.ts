import { z } from 'zod';
import { STREAM_MAPPING } from './awsLimits.js';

/** An EventBridge-style pattern (`{ "dynamodb": { "NewImage": { "status": { "S": ["paid"] } } } }`). */
const FilterPatternSchema = z.record(z.string(), z.unknown());

/**
 * A Lambda event source mapping on a table's stream: `functions.<name>.events[]`. Names and defaults are
 * `CreateEventSourceMapping`'s.
 */
export const StreamEventSourceSchema = z.strictObject({
  /** The table whose stream feeds the function. */
  stream: z.string().min(1),
  batchSize: z.number().int().min(1).max(STREAM_MAPPING.maxBatchSize).default(STREAM_MAPPING.defaultBatchSize),
  maximumBatchingWindowInSeconds: z.number().int().min(0).max(STREAM_MAPPING.maxBatchingWindowSeconds).default(0),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']),
  bisectBatchOnFunctionError: z.boolean().default(false),
  /** -1 retries until the records expire. */
  maximumRetryAttempts: z.number().int().min(-1).max(STREAM_MAPPING.maxRetryAttempts).default(-1),
  /** -1: no limit. */
  maximumRecordAgeInSeconds: z
    .number()
    .int()
    .refine(
      (age) => age === -1 || (age >= STREAM_MAPPING.minRecordAgeSeconds && age <= STREAM_MAPPING.maxRecordAgeSeconds),
      `must be -1 or between ${STREAM_MAPPING.minRecordAgeSeconds} and ${STREAM_MAPPING.maxRecordAgeSeconds}`,
    )
    .default(-1),
  parallelizationFactor: z.number().int().min(1).max(STREAM_MAPPING.maxParallelizationFactor).default(1),
  functionResponseTypes: z.array(z.literal('ReportBatchItemFailures')).max(1).default([]),
  /** Up to five patterns; a record is delivered when any matches. */
  filterCriteria: z
    .strictObject({ filters: z.array(z.strictObject({ pattern: FilterPatternSchema })).max(STREAM_MAPPING.maxFilters) })
    .optional(),
  /** Where a batch's metadata goes once it is given up on (an S3 bucket, as Lambda's S3 on-failure destination). */
  onFailure: z.strictObject({ bucket: z.string().min(1), prefix: z.string().optional() }).optional(),
  enabled: z.boolean().default(true),
});
export type StreamEventSource = z.infer<typeof StreamEventSourceSchema>;
