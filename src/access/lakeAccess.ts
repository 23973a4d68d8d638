import type { Access } from '../model/accessSchema.js';
import { resolvePrincipal } from './principals.js';

/** One S3 request against the lake, as the guard sees it. */
export interface S3AccessRequest {
  readonly accessKeyId: string | undefined;
  readonly method: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly query: URLSearchParams;
  /** `x-amz-copy-source`: CopyObject reads it. */
  readonly copySource: string | undefined;
}

const covers = (grants: readonly string[], bucket: string, key: string): boolean =>
  grants.some((grant) => `${bucket}/${key}`.startsWith(grant));

/**
 * Whether a principal's grants allow an S3 request on a lake bucket: reads (GET, HEAD, ListObjectsV2 with a
 * prefix) need a `read` grant covering the key or prefix, writes (PUT, POST, DELETE) a `write` grant; CopyObject
 * needs both; DeleteObjects (keys in the body) and bucket creation or deletion need a grant on the whole bucket.
 * Buckets outside the lake, apps without `access`, and the functions' own credentials (their execution role) are
 * not restricted.
 */
export function s3Allowed(
  access: Access | undefined,
  lakeBuckets: readonly string[],
  trustedAccessKeyId: string,
  request: S3AccessRequest,
): boolean {
  if (access === undefined || request.bucket === undefined || !lakeBuckets.includes(request.bucket)) return true;
  if (request.accessKeyId === trustedAccessKeyId) return true;
  const principal =
    request.accessKeyId === undefined ? undefined : resolvePrincipal(access, { accessKeyId: request.accessKeyId });
  const grants = principal?.grants;
  if (grants === undefined) return false;
  const bucket = request.bucket;
  const whole = (list: readonly string[]): boolean => list.includes(`${bucket}/`);
  const reading = request.method === 'GET' || request.method === 'HEAD';
  if (request.key === undefined) {
    if (!reading) return request.query.has('delete') ? whole(grants.write) : whole(grants.write) && whole(grants.read);
    const prefix = request.query.get('prefix') ?? '';
    return request.query.has('list-type') || request.query.has('prefix') || request.method === 'GET'
      ? covers(grants.read, bucket, prefix)
      : [...grants.read, ...grants.write].some((g) => g.startsWith(`${bucket}/`));
  }
  if (reading) return covers(grants.read, bucket, request.key);
  if (request.copySource !== undefined) {
    const source = decodeURIComponent(request.copySource.replace(/^\//, ''));
    const slash = source.indexOf('/');
    const [sourceBucket, sourceKey] = slash < 0 ? [source, ''] : [source.slice(0, slash), source.slice(slash + 1)];
    if (lakeBuckets.includes(sourceBucket) && !covers(grants.read, sourceBucket, sourceKey.split('?')[0] ?? ''))
      return false;
  }
  return covers(grants.write, bucket, request.key);
}
