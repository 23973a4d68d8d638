import { readFileSync } from 'node:fs';

/** Mappings kept free for everything else in the process (DuckDB, LevelDB, sockets, the main heap growing). */
const MAPS_RESERVED = 6_000;
/**
 * The most mappings one new environment may take: a worker's stacks and V8 heap pages (one mapping each), ~80 for a
 * small handler and more as its heap grows; kept high so the check errs on the safe side.
 */
const MAPS_PER_NEW_ENVIRONMENT = 250;
/** Where the limit cannot be read (not Linux): a fixed cap. */
const DEFAULT_CEILING = 1_000;

/** Linux's `vm.max_map_count`, or undefined elsewhere. */
function maxMapCount(): number | undefined {
  try {
    const max = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim());
    return Number.isFinite(max) && max > 0 ? max : undefined;
  } catch {
    return undefined;
  }
}

/** The process's memory mappings now (lines of /proc/self/maps; ~10 ms with tens of thousands). */
function mappingsNow(): number {
  const maps = readFileSync('/proc/self/maps');
  let lines = 0;
  for (let at = maps.indexOf(10); at !== -1; at = maps.indexOf(10, at + 1)) lines += 1;
  return lines;
}

/**
 * Room for one more execution environment? Each is a worker thread whose stacks and V8 heap pages are memory
 * mappings; past Linux's `vm.max_map_count` (65,530 by default) V8 cannot map memory and the whole process dies
 * ("JavaScript heap out of memory" in some isolate). Counted only once environments are many.
 */
export function machineHasRoom(live: number, max = maxMapCount()): boolean {
  if (max === undefined) return live < DEFAULT_CEILING;
  if ((live + 1) * MAPS_PER_NEW_ENVIRONMENT + MAPS_RESERVED < max / 2) return true;
  return mappingsNow() + MAPS_PER_NEW_ENVIRONMENT + MAPS_RESERVED < max;
}

/**
 * The environments all functions may hold at once: a fixed `ceiling` when given, else what the machine can map
 * (`machineHasRoom`). With room an Init starts at once; without, the least recently used idle environment (of any
 * function) is stopped to make room, and when none is idle the cold start waits for one to end — a deviation from
 * AWS (which would start it) that keeps the process alive.
 *
 * @example
 * const budget = new EnvironmentBudget({ evictIdle: () => pools.some((p) => p.evictIdle()) });
 * await budget.acquire(); // before starting a worker
 * budget.release();       // after it is destroyed
 */
export class EnvironmentBudget {
  /** The fixed cap, if one was set. */
  readonly ceiling: number | undefined;
  private live = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly evictIdle: () => boolean;
  private readonly onFull: ((live: number) => void) | undefined;
  /** The kernel's limit, read once (it does not change under a running process in practice). */
  private readonly maxMaps = maxMapCount();

  constructor(options: { ceiling?: number; evictIdle: () => boolean; onFull?: (live: number) => void }) {
    this.ceiling = options.ceiling;
    this.evictIdle = options.evictIdle;
    this.onFull = options.onFull;
  }

  /** Environments alive now. */
  get inUse(): number {
    return this.live;
  }

  /** True when a cold start waits for room: an environment going idle should end instead, to make it. */
  get wanted(): boolean {
    return this.waiting.length > 0;
  }

  /** Whether one more environment fits now. */
  hasRoom(): boolean {
    return this.ceiling === undefined ? machineHasRoom(this.live, this.maxMaps) : this.live < this.ceiling;
  }

  async acquire(): Promise<void> {
    if (this.waiting.length === 0 && this.hasRoom()) {
      this.live += 1;
      return;
    }
    this.onFull?.(this.live);
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
