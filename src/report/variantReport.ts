import { type AggregatedRequest, endOf, entryPoints, peakOverlap } from '../runtime/aggregatedRequests.js';
import type { InvocationRecord } from '../runtime/invocationRecord.js';

/** The three ways of serving one aggregated request the seed compares. */
export type Variant = 'sync' | 'async' | 'client';

/** One variant's figures over the records given. */
export interface VariantSummary {
  readonly variant: Variant;
  /** Aggregated requests seen. */
  readonly requests: number;
  /** Time from the first invocation's start to the last one's end, per request. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The most execution environments the variant's invocations held at once. */
  readonly peakConcurrency: number;
  readonly throttles: number;
  readonly retries: number;
  /** Billed time L1s spent only waiting for their branches (sync). */
  readonly waitingMs: number;
  readonly costUsd: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** The most environments held at once by these invocations (throttled calls held none). */
const peakOf = (records: readonly InvocationRecord[]): number =>
  peakOverlap(records.filter((r) => r.outcome !== 'throttled').map((r) => [r.startTime, endOf(r)] as const));

/** One aggregated request, whichever way it was served: its invocations and its span. */
interface Served {
  readonly variant: Variant;
  readonly records: readonly InvocationRecord[];
  readonly aggregation: AggregatedRequest | undefined;
}

/**
 * Finds the aggregated requests in invocation records and sorts them by how they were served: an L1 that waited
 * for its branches (`sync`), an L1 that only queued them (`async`), or several top-level calls under one trace root
 * (`client`: `tributary/client` sends one `X-Amzn-Trace-Id` root for all the calls of an aggregate).
 *
 * @example
 * for (const row of variantReport(records)) console.log(row.variant, row.p50Ms, row.costUsd);
 */
export function variantReport(records: readonly InvocationRecord[]): VariantSummary[] {
  const served: Served[] = [];
  const byTrace = new Map<string, InvocationRecord[]>();
  for (const { entry, aggregation } of entryPoints(records)) {
    if (aggregation !== undefined) {
      const waited = aggregation.branches.some((b) => b.invocationType === 'RequestResponse');
      served.push({ variant: waited ? 'sync' : 'async', records: [entry, ...aggregation.descendants], aggregation });
    } else if (entry.traceRoot !== undefined) {
      const group = byTrace.get(entry.traceRoot);
      if (group === undefined) byTrace.set(entry.traceRoot, [entry]);
      else group.push(entry);
    }
  }
  for (const group of byTrace.values())
    if (group.length > 1) served.push({ variant: 'client', records: group, aggregation: undefined });

  const variants: Variant[] = ['sync', 'async', 'client'];
  return variants.flatMap((variant) => {
    const mine = served.filter((s) => s.variant === variant);
    if (mine.length === 0) return [];
    const spans = mine
      .map((s) => {
        const entry = s.aggregation?.entry;
        // An L1's answer is its own span (async branches run after it); a client's, all its calls.
        if (entry !== undefined) return endOf(entry) - entry.startTime;
        return Math.max(...s.records.map(endOf)) - Math.min(...s.records.map((r) => r.startTime));
      })
      .sort((a, b) => a - b);
    const all = mine.flatMap((s) => s.records);
    return [
      {
        variant,
        requests: mine.length,
        p50Ms: percentile(spans, 50),
        p99Ms: percentile(spans, 99),
        peakConcurrency: peakOf(all),
        throttles: all.filter((r) => r.outcome === 'throttled').length,
        retries: all.filter((r) => r.attempt > 1).length,
        waitingMs: mine.reduce((sum, s) => sum + (s.aggregation?.waitingMs ?? 0), 0),
        costUsd: all.reduce((sum, r) => sum + r.costUsd, 0),
      },
    ];
  });
}

const LABELS: Record<Variant, string> = {
  sync: 'sync (L1 waits)',
  async: 'async (L1 queues, 202)',
  client: 'client-side',
};

/** The report as a table, one row per variant, with the cost per request. */
export function formatVariantReport(rows: readonly VariantSummary[]): string {
  const header = [
    'variant',
    'requests',
    'p50 ms',
    'p99 ms',
    'peak conc.',
    'throttles',
    'retries',
    'L1 wait s',
    'cost/request $',
  ];
  const lines = rows.map((row) => [
    LABELS[row.variant],
    String(row.requests),
    row.p50Ms.toFixed(1),
    row.p99Ms.toFixed(1),
    String(row.peakConcurrency),
    String(row.throttles),
    String(row.retries),
    (row.waitingMs / 1000).toFixed(2),
    (row.costUsd / row.requests).toExponential(3),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [render(header), ...lines.map(render)].join('\n');
}
