/**
 * An X-Ray trace header as Lambda puts in `_X_AMZN_TRACE_ID`:
 * `Root=1-<epoch seconds, 8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0`.
 * The random parts come from the request id (a random UUID already), which saves drawing ~4 µs of fresh
 * randomness per invoke; a trace id is unique per invocation either way.
 */
export function newTraceId(nowMs: number, requestId: string, root?: string): string {
  const hex = requestId.replaceAll('-', '');
  return `Root=${root ?? newTraceRoot(nowMs, hex)};Parent=${hex.slice(16, 32)};Sampled=0`;
}

/** A trace's root, `1-<epoch seconds, 8 hex>-<24 hex>`. */
export function newTraceRoot(nowMs: number, randomHex: string): string {
  const epoch = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${epoch}-${randomHex.slice(0, 24)}`;
}

const ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)/;

/**
 * The trace root of an incoming `X-Amzn-Trace-Id` header, if it has a valid one: invocations a caller makes under
 * one root (a client's parallel calls, an L1's branches) belong to one trace, as in X-Ray.
 */
export function traceRootOf(header: string | undefined): string | undefined {
  return header === undefined ? undefined : ROOT.exec(header)?.[1];
}

/** The root part of a trace header this runtime made. */
export const rootOfTraceId = (traceId: string): string => traceId.slice('Root='.length, traceId.indexOf(';'));
