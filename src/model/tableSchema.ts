import { z } from 'zod';

/** A key attribute: its name and DynamoDB scalar type (S string, N number, B binary). */
export const KeyAttributeSchema = z.strictObject({
  name: z.string().min(1).max(255),
  type: z.enum(['S', 'N', 'B']).default('S'),
});
export type KeyAttribute = z.infer<typeof KeyAttributeSchema>;

/** What a stream record carries, as DynamoDB's `StreamViewType`. */
export const STREAM_VIEW_TYPES = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] as const;
export type StreamViewType = (typeof STREAM_VIEW_TYPES)[number];

const IndexSchema = z.strictObject({
  partitionKey: KeyAttributeSchema,
  sortKey: KeyAttributeSchema.optional(),
  /** Which attributes the index holds (ALL by default). */
  projection: z
    .union([z.enum(['ALL', 'KEYS_ONLY']), z.strictObject({ include: z.array(z.string()).min(1) })])
    .default('ALL'),
});

/** One DynamoDB table: `tables.<name>` in the config. Created when `dev` starts, if it does not exist yet. */
export const TableSchema = z.strictObject({
  partitionKey: KeyAttributeSchema,
  sortKey: KeyAttributeSchema.optional(),
  /** Global secondary indexes by name. */
  globalIndexes: z.record(z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/), IndexSchema).default({}),
  /** Turns on the table's stream with this view type. */
  stream: z.enum(STREAM_VIEW_TYPES).optional(),
  /** The attribute holding each item's expiry (epoch seconds): TTL is enabled on it. */
  ttl: z.string().min(1).max(255).optional(),
});
export type TableConfig = z.infer<typeof TableSchema>;

/** Table names as DynamoDB allows them. */
export const TableNameSchema = z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be 3-255 letters, digits, _, - or .');
