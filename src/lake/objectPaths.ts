import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * True when a key can be mirrored as a file path (`dept=sales/dt=2026-01-01/part-1.parquet` ->
 * `<bucket>/dept=sales/...`): no empty, `.` or `..` segments, no trailing `/`, no NUL, segments of at most
 * 255 bytes. Mirrored objects are what SQL over prefixes can read; other keys are stored by hash.
 */
export function isMirrorableKey(key: string): boolean {
  if (key.length === 0 || key.endsWith('/') || key.startsWith('/') || key.includes('\0')) return false;
  return key
    .split('/')
    .every((s) => s !== '' && s !== '.' && s !== '..' && Buffer.byteLength(s) <= 255 && !s.startsWith('.tributary'));
}

/** The mirrored path of a key in a bucket. */
export function mirroredPath(root: string, bucket: string, key: string): string {
  return join(root, bucket, ...key.split('/'));
}

/** Where a key that cannot be mirrored (or collides with a folder) keeps its data. */
export function hashedPath(root: string, bucket: string, key: string): string {
  return join(root, '.tributary-objects', bucket, createHash('sha256').update(key).digest('hex'));
}
