/** A decoded `aws-chunked` body and the trailing headers that followed its last chunk. */
export interface DecodedChunked {
  readonly body: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
}

/**
 * Decodes the `aws-chunked` encoding SDK v3 uses for uploads (`x-amz-content-sha256: STREAMING-...`):
 * `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n` repeated, a zero-size chunk, then trailer lines
 * (`x-amz-checksum-crc32:<base64>`) and a blank line. Returns undefined when the framing is broken.
 */
export function decodeAwsChunked(raw: Buffer): DecodedChunked | undefined {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const header = raw.subarray(offset, lineEnd).toString('latin1');
    const size = Number.parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) return undefined;
    offset = lineEnd + 2;
    if (size === 0) break;
    if (offset + size + 2 > raw.length) return undefined;
    chunks.push(raw.subarray(offset, offset + size));
    offset += size + 2; // the data, then its CRLF
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
}

/** True when the request body is `aws-chunked` (by its content SHA header or content encoding). */
export function isAwsChunked(headers: Readonly<Record<string, string>>): boolean {
  return (
    (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') ||
    (headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked')
  );
}
