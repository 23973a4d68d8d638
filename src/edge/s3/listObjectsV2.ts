import type { FsObjectStore, ObjectMeta } from '../../lake/fsObjectStore.js';
import { s3Error } from '../../lake/objectStoreErrors.js';
import type { EdgeResponse } from '../edgeMessage.js';
import { element, xmlResponse } from './s3Xml.js';

/** Past every key that starts with a common prefix (U+10FFFF sorts last in UTF-8). */
const AFTER_ALL = '\u{10FFFF}';

const encodeToken = (after: string): string => Buffer.from(after, 'utf8').toString('base64url');
const decodeToken = (token: string): string => Buffer.from(token, 'base64url').toString('utf8');

/**
 * ListObjectsV2: keys in UTF-8 binary order, `prefix`, `delimiter` (CommonPrefixes count once each against
 * MaxKeys), `max-keys` (default and max 1,000), opaque `continuation-token`, `start-after`, `encoding-type=url`,
 * `fetch-owner`.
 */
export function listObjectsV2(store: FsObjectStore, bucket: string, query: URLSearchParams): EdgeResponse {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const rawMax = query.get('max-keys');
  const maxKeys = rawMax === null ? 1000 : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 0)
    throw s3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range');
  const limit = Math.min(maxKeys, 1000);
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const urlEncode = query.get('encoding-type') === 'url';
  const encode = (text: string): string => (urlEncode ? encodeURIComponent(text).replaceAll('%2F', '/') : text);

  const contents: ObjectMeta[] = [];
  const commonPrefixes: string[] = [];
  let cursor = token === null ? startAfter : decodeToken(token);
  let next: string | undefined;
  scan: for (;;) {
    const batch = store.listKeys(bucket, prefix, cursor, 1000);
    for (const meta of batch) {
      const rest = meta.key.slice(prefix.length);
      const cut = delimiter === '' ? -1 : rest.indexOf(delimiter);
      const common = cut < 0 ? undefined : prefix + rest.slice(0, cut + delimiter.length);
      if (common !== undefined && common === commonPrefixes[commonPrefixes.length - 1]) {
        cursor = meta.key;
        continue;
      }
      if (contents.length + commonPrefixes.length >= limit) {
        next = cursor;
        break scan;
      }
      if (common !== undefined) {
        commonPrefixes.push(common);
        cursor = common + AFTER_ALL;
      } else {
        contents.push(meta);
        cursor = meta.key;
      }
    }
    if (batch.length < 1000) break;
  }
  const fetchOwner = query.get('fetch-owner') === 'true';
  const owner = fetchOwner ? '<Owner><ID>tributary</ID><DisplayName>tributary</DisplayName></Owner>' : '';
  const inner = [
    element('Name', bucket),
    element('Prefix', encode(prefix)),
    delimiter === '' ? '' : element('Delimiter', encode(delimiter)),
    element('MaxKeys', maxKeys),
    element('KeyCount', contents.length + commonPrefixes.length),
    element('IsTruncated', next !== undefined),
    token === null ? '' : element('ContinuationToken', token),
    next === undefined ? '' : element('NextContinuationToken', encodeToken(next)),
    startAfter === '' ? '' : element('StartAfter', encode(startAfter)),
    urlEncode ? element('EncodingType', 'url') : '',
    ...contents.map(
      (m) =>
        `<Contents>${element('Key', encode(m.key))}${element('LastModified', new Date(m.lastModified).toISOString())}${element('ETag', m.etag)}${element('Size', m.size)}${element('StorageClass', 'STANDARD')}${owner}</Contents>`,
    ),
    ...commonPrefixes.map((p) => `<CommonPrefixes>${element('Prefix', encode(p))}</CommonPrefixes>`),
  ];
  return xmlResponse('ListBucketResult', inner.join(''));
}
