import { etagMatches } from '../../lake/etagMatches.js';
import type { FsObjectStore } from '../../lake/fsObjectStore.js';
import { preconditionFailed, s3Error } from '../../lake/objectStoreErrors.js';
import type { EdgeRequest, EdgeResponse } from '../edgeMessage.js';
import { objectHeaders, putOptionsFrom } from './objectHeaders.js';
import { checksumHeaders, verifiedBody } from './requestBody.js';
import { element, xmlResponse } from './s3Xml.js';

/** PutObject, with conditional writes (`If-None-Match: *`, `If-Match`) answering 412. */
export async function putObject(
  store: FsObjectStore,
  bucket: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const { body, checksums } = verifiedBody(request);
  const ifNoneMatch = request.headers['if-none-match'];
  const ifMatch = request.headers['if-match'];
  const meta = await store.putObject(bucket, key, body, {
    ...putOptionsFrom(request.headers),
    checksums,
    ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
    ...(ifMatch === undefined ? {} : { ifMatch }),
  });
  return { status: 200, headers: { etag: meta.etag, ...checksumHeaders(checksums) } };
}

/** `Range: bytes=a-b | a- | -n` against an object of `size` bytes; undefined when unsatisfiable. */
function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return start >= size || end < start ? undefined : { start, end };
}

/** GetObject and HeadObject: conditional requests (304/412), Range (206/416), checksums when asked for. */
export async function getObject(
  store: FsObjectStore,
  bucket: string,
  key: string,
  request: EdgeRequest,
  head: boolean,
): Promise<EdgeResponse> {
  const meta = store.get(bucket, key);
  const headers = objectHeaders(meta);
  const ifMatch = request.headers['if-match'];
  if (ifMatch !== undefined && !etagMatches(ifMatch, meta.etag)) throw preconditionFailed('If-Match');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, meta.etag)) {
    return { status: 304, headers: { etag: meta.etag, 'last-modified': headers['last-modified'] ?? '' } };
  }
  const rangeHeader = request.headers.range;
  if (rangeHeader !== undefined) {
    const range = parseRange(rangeHeader, meta.size);
    if (range === undefined) {
      throw s3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
        ActualObjectSize: String(meta.size),
        RangeRequested: rangeHeader,
      });
    }
    const partial = {
      ...headers,
      'content-range': `bytes ${range.start}-${range.end}/${meta.size}`,
      'content-length': String(range.end - range.start + 1),
    };
    return { status: 206, headers: partial, body: head ? '' : await store.read(meta, range) };
  }
  if (request.headers['x-amz-checksum-mode'] === 'ENABLED') Object.assign(headers, checksumHeaders(meta.checksums));
  return {
    status: 200,
    headers: { ...headers, 'content-length': String(meta.size) },
    body: head ? '' : await store.read(meta),
  };
}

/** CopyObject: `x-amz-copy-source`, metadata copied or replaced (`x-amz-metadata-directive`). */
export async function copyObject(
  store: FsObjectStore,
  bucket: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const source = decodeURIComponent((request.headers['x-amz-copy-source'] ?? '').split('?')[0] ?? '').replace(
    /^\//,
    '',
  );
  const slash = source.indexOf('/');
  if (slash <= 0)
    throw s3Error('InvalidArgument', 400, 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  const from = store.get(source.slice(0, slash), source.slice(slash + 1));
  const replace = request.headers['x-amz-metadata-directive'] === 'REPLACE';
  const options = replace
    ? putOptionsFrom(request.headers)
    : { contentType: from.contentType, metadata: from.metadata, headers: from.headers };
  const meta = await store.putObject(bucket, key, await store.read(from), { ...options, checksums: from.checksums });
  return xmlResponse(
    'CopyObjectResult',
    `${element('LastModified', new Date(meta.lastModified).toISOString())}${element('ETag', meta.etag)}`,
  );
}
