import { createHash } from 'node:crypto';
import { s3Error } from '../../lake/objectStoreErrors.js';
import type { EdgeRequest } from '../edgeMessage.js';
import { decodeAwsChunked, isAwsChunked } from './awsChunked.js';
import { checksumAlgorithmOf, computeChecksum } from './checksums.js';

/** An upload's bytes, after aws-chunked decoding, with the checksums it was verified against. */
export interface VerifiedBody {
  readonly body: Buffer;
  /** Checksums by algorithm (`CRC32` -> base64), verified, to store and echo back. */
  readonly checksums: Record<string, string>;
}

/**
 * Reads an upload body as S3 does: decodes `aws-chunked` (SDK v3's default, with trailing checksums), then
 * verifies `Content-MD5` and every `x-amz-checksum-*` header or trailer we can compute (`BadDigest` otherwise).
 */
export function verifiedBody(request: EdgeRequest): VerifiedBody {
  let body = request.body;
  let trailers: Readonly<Record<string, string>> = {};
  if (isAwsChunked(request.headers)) {
    const decoded = decodeAwsChunked(request.body);
    if (decoded === undefined)
      throw s3Error('IncompleteBody', 400, 'The request body is not valid aws-chunked encoding.');
    ({ body, trailers } = decoded);
    const declared = request.headers['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== body.length) {
      throw s3Error(
        'IncompleteBody',
        400,
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
    }
  }
  const md5 = request.headers['content-md5'];
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) {
    throw s3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
  }
  const checksums: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...request.headers, ...trailers })) {
    const algorithm = checksumAlgorithmOf(name);
    if (algorithm === undefined) continue;
    if (computeChecksum(algorithm, body) !== value) {
      throw s3Error('BadDigest', 400, `The ${algorithm} you specified did not match the calculated checksum.`);
    }
    checksums[algorithm] = value;
  }
  return { body, checksums };
}

/** `x-amz-checksum-<alg>` response headers for stored checksums. */
export function checksumHeaders(checksums: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(checksums).map(([algorithm, value]) => [`x-amz-checksum-${algorithm.toLowerCase()}`, value]),
  );
}
