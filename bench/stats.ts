/** Percentile of sorted samples (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export interface Summary {
  readonly count: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Runs `once` sequentially for `count` iterations after `warmup` untimed ones. */
export async function measure(once: () => Promise<unknown>, count: number, warmup: number): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await once();
    samples.push(performance.now() - t0);
  }
  const elapsed = performance.now() - started;
  samples.sort((a, b) => a - b);
  return { count, perSecond: (count / elapsed) * 1000, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) };
}

/** Runs `once` from `concurrency` loops at a time until `count` calls completed; throughput only. */
export async function throughput(once: () => Promise<unknown>, count: number, concurrency: number): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started += 1;
        await once();
      }
    }),
  );
  return (count / (performance.now() - t0)) * 1000;
}

export function row(cells: readonly (string | number)[]): string {
  return cells
    .map((c, i) => (typeof c === 'number' ? c.toFixed(c >= 100 ? 0 : 3) : c).padEnd(i === 0 ? 44 : 14))
    .join('');
}
