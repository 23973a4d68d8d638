/** A pending timer; `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
}

/**
 * The injected source of time. Every platform delay (timeouts, idle reaping, retries, buffer intervals)
 * goes through a Clock so tests can use {@link ManualClock} and take no wall time.
 */
export interface Clock {
  /** Milliseconds since the epoch, in this clock's timeline. */
  now(): number;
  /** Runs `callback` after `delayMs` of this clock's time. The timer never keeps the process alive. */
  setTimer(delayMs: number, callback: () => void): Timer;
}

/**
 * The real clock. `timeScale` > 1 makes time pass N times faster (`tributary dev --time-scale N`): a 60 s retry
 * delay waits 60/N s, and `now()` advances N times faster from the moment the clock was made, so ages
 * measured with it (event age) agree with the delays.
 *
 * @example
 * const clock = new SystemClock();
 * clock.setTimer(1000, () => log('one second later'));
 */
export class SystemClock implements Clock {
  readonly timeScale: number;
  private readonly origin = Date.now();

  constructor(timeScale = 1) {
    if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
    this.timeScale = timeScale;
  }

  now(): number {
    const real = Date.now();
    return this.timeScale === 1 ? real : this.origin + (real - this.origin) * this.timeScale;
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs / this.timeScale));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to; for tests.
 *
 * @example
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * clock.setTimer(3000, onTimeout);
 * clock.advance(3000); // onTimeout runs now
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00.000Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    const timer: ManualTimer = { id: this.nextId++, due: this.current + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { cancel: () => this.remove(timer.id) };
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in due order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.remove(next.id);
      this.current = Math.max(this.current, next.due);
      next.callback();
    }
    this.current = target;
  }

  private remove(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }
}
