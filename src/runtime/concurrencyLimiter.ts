import { throttled } from './invokeErrors.js';

/** A held concurrency slot; `release()` is idempotent. */
export interface ConcurrencySlot {
  release(): void;
}

/**
 * Lambda's concurrency model: an account limit shared by every function, minus what functions reserve.
 * A function with reserved concurrency R may run R at once (R = 0 throttles it completely) and never takes
 * from the shared pool; the others share `account - sum(reserved)`.
 *
 * @example
 * const limiter = new ConcurrencyLimiter(1000, new Map([['orders', 50]]));
 * const slot = limiter.acquire('orders'); // throws TooManyRequestsException when 50 are running
 * slot.release();
 */
export class ConcurrencyLimiter {
  private readonly reserved: ReadonlyMap<string, number>;
  private readonly unreservedPool: number;
  private readonly running = new Map<string, number>();
  private unreservedRunning = 0;

  constructor(accountLimit: number, reserved: ReadonlyMap<string, number>) {
    this.reserved = reserved;
    const totalReserved = [...reserved.values()].reduce((sum, r) => sum + r, 0);
    this.unreservedPool = Math.max(0, accountLimit - totalReserved);
  }

  /** Takes a slot for one invocation of `functionName`, or throws Lambda's throttle error. */
  acquire(functionName: string): ConcurrencySlot {
    const reserved = this.reserved.get(functionName);
    const running = this.running.get(functionName) ?? 0;
    if (reserved !== undefined) {
      if (running >= reserved) throw throttled('ReservedFunctionConcurrentInvocationLimitExceeded');
    } else {
      if (this.unreservedRunning >= this.unreservedPool) throw throttled('ConcurrentInvocationLimitExceeded');
      this.unreservedRunning += 1;
    }
    this.running.set(functionName, running + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running.set(functionName, (this.running.get(functionName) ?? 1) - 1);
        if (reserved === undefined) this.unreservedRunning -= 1;
      },
    };
  }

  /** Invocations running now, for one function or the whole account. */
  inUse(functionName?: string): number {
    if (functionName !== undefined) return this.running.get(functionName) ?? 0;
    return [...this.running.values()].reduce((sum, n) => sum + n, 0);
  }
}
