import type { EdgeRequest } from '../edgeMessage.js';

/** The bucket and key a request addresses. */
export interface S3Location {
  readonly bucket: string | undefined;
  readonly key: string | undefined;
}

/**
 * Virtual-hosted style (`<bucket>.localhost:4566/<key>`, `<bucket>.s3.localhost...`) or path style
 * (`localhost:4566/<bucket>/<key>`).
 */
export function s3Location(request: EdgeRequest): S3Location {
  const host = (request.headers.host ?? '').split(':')[0] ?? '';
  const virtual = /^(.+?)\.(?:s3\.)?(?:localhost|localhost\.localstack\.cloud)$/.exec(host);
  const path = request.path.startsWith('/') ? request.path.slice(1) : request.path;
  if (virtual?.[1] !== undefined) return { bucket: virtual[1], key: path === '' ? undefined : path };
  if (path === '') return { bucket: undefined, key: undefined };
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: path, key: undefined };
  const key = path.slice(slash + 1);
  return { bucket: path.slice(0, slash), key: key === '' ? undefined : key };
}
