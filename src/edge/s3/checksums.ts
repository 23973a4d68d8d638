import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** The flexible checksum algorithms S3 accepts and how to compute each (base64 of the big-endian digest). */
const ALGORITHMS: Record<string, (data: Buffer) => string> = {
  CRC32: (data) => uint32(crc32(data)),
  CRC32C: (data) => uint32(crc32c(data)),
  SHA1: (data) => createHash('sha1').update(data).digest('base64'),
  SHA256: (data) => createHash('sha256').update(data).digest('base64'),
};

function uint32(value: number): string {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer.toString('base64');
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** `x-amz-checksum-crc32` -> `CRC32`, for the algorithms we can verify. */
export function checksumAlgorithmOf(header: string): string | undefined {
  const match = /^x-amz-checksum-([a-z0-9]+)$/.exec(header);
  const name = match?.[1]?.toUpperCase();
  return name !== undefined && name in ALGORITHMS ? name : undefined;
}

/** Computes one algorithm's checksum of `data`. */
export function computeChecksum(algorithm: string, data: Buffer): string | undefined {
  return ALGORITHMS[algorithm]?.(data);
}
