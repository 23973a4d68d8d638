import type { InvocationRecord } from './invocationRecord.js';

/**
 * One aggregated request as the records show it: an entry point (L1) and the invocations it made (L2x, with their
 * retries and throttles, and whatever they invoked in turn).
 */
export interface AggregatedRequest {
  readonly entry: InvocationRecord;
  /** Every attempt the entry point made directly (throttled ones included). */
  readonly branches: readonly InvocationRecord[];
  /** Everything below the entry point: branches and what they invoked. */
  readonly descendants: readonly InvocationRecord[];
  readonly mode: 'sync' | 'async' | 'mixed';
  /** The most environments it held at once: the L1 plus its running descendants (1 + N for a flat fan-out). */
  readonly peakConcurrency: number;
  /** Of the L1's billed time, how long it only waited for synchronous branches. */
  readonly waitingMs: number;
  /** Attempts after a first one (async retries) and throttled calls among the descendants. */
  readonly retries: number;
  readonly throttles: number;
  /** The L1's cost plus every descendant's. */
  readonly costUsd: number;
}

/** A record's `startTime` is when the request arrived; a cold start's Init runs before its `durationMs`. */
export const endOf = (record: InvocationRecord): number =>
  record.startTime + (record.initDurationMs ?? 0) + record.durationMs;

/** The most intervals open at once. */
export function peakOverlap(intervals: readonly (readonly [number, number])[]): number {
  const edges = intervals.flatMap(([start, end]): [number, number][] => [
    [start, 1],
    [end, -1],
  ]);
  // Ends before starts at the same instant: back-to-back invocations do not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** The length of the union of intervals, clipped to `[from, to]`. */
function coveredMs(intervals: readonly (readonly [number, number])[], from: number, to: number): number {
  const clipped = intervals
    .map(([start, end]): [number, number] => [Math.max(start, from), Math.min(end, to)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cursor = from;
  for (const [start, end] of clipped) {
    if (end <= cursor) continue;
    total += end - Math.max(start, cursor);
    cursor = end;
  }
  return total;
}

/** The aggregation an entry-point record led, or undefined when it invoked nothing. */
export function aggregationOf(
  entry: InvocationRecord,
  childrenOf: (requestId: string) => readonly InvocationRecord[],
): AggregatedRequest | undefined {
  const branches = childrenOf(entry.requestId);
  if (branches.length === 0) return undefined;
  const descendants: InvocationRecord[] = [];
  const pending = [...branches];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    descendants.push(next);
    pending.push(...childrenOf(next.requestId));
  }
  const ran = [entry, ...descendants].filter((r) => r.outcome !== 'throttled');
  const syncBranches = branches.filter((b) => b.invocationType === 'RequestResponse' && b.outcome !== 'throttled');
  const types = new Set(branches.map((b) => b.invocationType));
  return {
    entry,
    branches,
    descendants,
    mode: types.size > 1 ? 'mixed' : types.has('Event') ? 'async' : 'sync',
    peakConcurrency: peakOverlap(ran.map((r) => [r.startTime, endOf(r)] as const)),
    waitingMs: coveredMs(
      syncBranches.map((b) => [b.startTime, endOf(b)] as const),
      entry.startTime,
      endOf(entry),
    ),
    retries: descendants.filter((r) => r.attempt > 1).length,
    throttles: descendants.filter((r) => r.outcome === 'throttled').length,
    costUsd: entry.costUsd + descendants.reduce((sum, r) => sum + r.costUsd, 0),
  };
}

/**
 * The records no other record in the set invoked (top-level calls, and calls whose caller is not in the set), each
 * with the aggregation it led if it invoked anything; in the records' order.
 */
export function entryPoints(
  records: readonly InvocationRecord[],
): { readonly entry: InvocationRecord; readonly aggregation: AggregatedRequest | undefined }[] {
  const children = new Map<string, InvocationRecord[]>();
  const ids = new Set(records.map((r) => r.requestId));
  for (const record of records) {
    if (record.parentRequestId === undefined) continue;
    const siblings = children.get(record.parentRequestId);
    if (siblings === undefined) children.set(record.parentRequestId, [record]);
    else siblings.push(record);
  }
  const childrenOf = (id: string): readonly InvocationRecord[] => children.get(id) ?? [];
  return records
    .filter((r) => r.parentRequestId === undefined || !ids.has(r.parentRequestId))
    .map((entry) => ({ entry, aggregation: aggregationOf(entry, childrenOf) }));
}

/** Every aggregated request among the records (entry points that invoked something), in the records' order. */
export function aggregatedRequests(records: readonly InvocationRecord[]): AggregatedRequest[] {
  return entryPoints(records).flatMap(({ aggregation }) => (aggregation === undefined ? [] : [aggregation]));
}

/**
 * The line `tributary logs` prints after an aggregating L1's REPORT: what the request held and cost.
 *
 * @example
 * // AGGREGATE RequestId: 5f… Branches: 4 sync Concurrency: 5 Waiting: 21.40 of 23 ms billed Retries: 0 Throttles: 0 Cost: $0.000000214
 */
export function aggregateLine(aggregation: AggregatedRequest): string {
  return [
    `AGGREGATE RequestId: ${aggregation.entry.requestId}`,
    `Branches: ${aggregation.branches.length} ${aggregation.mode}`,
    `Concurrency: ${aggregation.peakConcurrency}`,
    `Waiting: ${aggregation.waitingMs.toFixed(2)} of ${aggregation.entry.billedDurationMs} ms billed`,
    `Retries: ${aggregation.retries}`,
    `Throttles: ${aggregation.throttles}`,
    `Cost: $${aggregation.costUsd.toFixed(9)}`,
  ].join('\t');
}
