import { randomUUID } from 'node:crypto';

/**
 * An X-Ray trace header as Lambda puts in `_X_AMZN_TRACE_ID`:
 * `Root=1-<epoch seconds, 8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0`.
 * Built from one randomUUID (which draws from a cached entropy pool): randomBytes cost ~10 µs per invoke.
 */
export function newTraceId(nowMs: number): string {
  const epoch = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  const hex = randomUUID().replaceAll('-', '');
  const parent = randomUUID().replaceAll('-', '');
  return `Root=1-${epoch}-${hex.slice(0, 24)};Parent=${parent.slice(0, 16)};Sampled=0`;
}
