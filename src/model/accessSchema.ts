import { z } from 'zod';

/**
 * A principal: how a caller is recognised — an API key (`x-api-key` on the HTTP API), a JWT subject or claim
 * (after the route's JWT authorizer), or an AWS access key id (SigV4 on the endpoint) — and what it may touch:
 * tables it may query, and bucket prefixes it may read or write (S3 API and ingest).
 */
export const PrincipalSchema = z.strictObject({
  apiKeys: z.array(z.string().min(20)).default([]),
  jwt: z
    .strictObject({ claim: z.string().min(1).default('sub'), values: z.array(z.string().min(1)).min(1) })
    .optional(),
  accessKeyIds: z.array(z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id')).default([]),
  /** Tables (`name` or `database.name`) this principal may query; `*` for every table. */
  tables: z.array(z.string().min(1)).default([]),
  /** `bucket/prefix/` it may read (S3 GetObject/ListObjects); `bucket/` for the whole bucket. */
  read: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([^/]+\/)*$/, 'must be bucket/prefix/'))
    .default([]),
  /** `bucket/prefix/` it may write (S3 PutObject, and delivery streams that write there). */
  write: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([^/]+\/)*$/, 'must be bucket/prefix/'))
    .default([]),
});
export type Principal = z.infer<typeof PrincipalSchema>;

/** The `access` section. Without it, dev serves everyone everything (a local default, stated at startup). */
export const AccessSchema = z.strictObject({
  principals: z.record(z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), PrincipalSchema),
});
export type Access = z.infer<typeof AccessSchema>;
