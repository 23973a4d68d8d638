import { readFileSync } from 'node:fs';

/** Memory mappings one execution environment (a worker thread with its V8 heap) takes, measured: ~80; with margin. */
const MAPS_PER_ENVIRONMENT = 90;
/** Mappings left for the main thread, DuckDB, LevelDB and the rest of the process. */
const MAPS_RESERVED = 6_000;
/** Where the kernel's limit cannot be read (not Linux). */
const DEFAULT_CEILING = 1_000;

/**
 * How many execution environments this process can hold. Each is a worker thread whose V8 heap takes ~80 memory
 * mappings; past Linux's `vm.max_map_count` (65,530 by default) V8 cannot map memory and the whole process dies
 * ("Fatal JavaScript OOM in MemoryChunk allocation"). On a default Linux that is ~660 environments.
 */
export function machineEnvironmentCeiling(): number {
  try {
    const max = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim());
    if (Number.isFinite(max) && max > 0) return Math.max(16, Math.floor((max - MAPS_RESERVED) / MAPS_PER_ENVIRONMENT));
  } catch {
    // not Linux
  }
  return DEFAULT_CEILING;
}

/**
 * The environments all functions may hold at once. Under the ceiling an Init starts at once; at the ceiling the
 * least recently used idle environment (of any function) is stopped to make room, and when none is idle the cold
 * start waits for one to end — a deviation from AWS (which would start it) that keeps the process alive.
 *
 * @example
 * const budget = new EnvironmentBudget(machineEnvironmentCeiling(), () => pools.some((p) => p.evictIdle()));
 * await budget.acquire(); // before starting a worker
 * budget.release();       // after it is destroyed
 */
export class EnvironmentBudget {
  readonly ceiling: number;
  private live = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly evictIdle: () => boolean;
  private readonly onFull: (() => void) | undefined;

  constructor(ceiling: number, evictIdle: () => boolean, onFull?: () => void) {
    this.ceiling = ceiling;
    this.evictIdle = evictIdle;
    this.onFull = onFull;
  }

  /** Environments alive now. */
  get inUse(): number {
    return this.live;
  }

  /** True when a cold start waits for room: an environment going idle should end instead, to make it. */
  get wanted(): boolean {
    return this.waiting.length > 0;
  }

  async acquire(): Promise<void> {
    if (this.live < this.ceiling) {
      this.live += 1;
      return;
    }
    this.onFull?.();
    // The slot passes to this waiter when an environment ends (an evicted idle one, or a busy one released).
    const slot = new Promise<void>((resolve) => this.waiting.push(resolve));
    this.evictIdle();
    await slot;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.live -= 1;
  }
}
