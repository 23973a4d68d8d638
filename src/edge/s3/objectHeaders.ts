import type { ObjectMeta, PutOptions } from '../../lake/fsObjectStore.js';

/** Representation headers S3 stores with an object and returns on GET/HEAD. */
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const;

/** What a PUT (or multipart create) says about the object: content type, user metadata, stored headers. */
export function putOptionsFrom(headers: Readonly<Record<string, string>>): PutOptions {
  const metadata: Record<string, string> = {};
  const stored: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    // aws-chunked is how the body travelled, not how the object is encoded.
    const kept =
      name === 'content-encoding'
        ? value
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== 'aws-chunked')
            .join(', ')
        : value;
    if (kept !== '') stored[name] = kept;
  }
  return {
    ...(headers['content-type'] === undefined ? {} : { contentType: headers['content-type'] }),
    metadata,
    headers: stored,
  };
}

/** The headers GET and HEAD answer with. */
export function objectHeaders(meta: ObjectMeta): Record<string, string> {
  const headers: Record<string, string> = {
    etag: meta.etag,
    'last-modified': new Date(meta.lastModified).toUTCString(),
    'content-type': meta.contentType,
    'accept-ranges': 'bytes',
    ...meta.headers,
  };
  for (const [name, value] of Object.entries(meta.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}
