import type { Clock } from '../shared/clock.js';

/**
 * A token bucket on the injected clock: holds up to `burstLimit` tokens, refilled at `rateLimit` per second;
 * each request takes one. API Gateway's throttling model (account, stage and route limits).
 *
 * @example
 * const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 5 }, clock);
 * if (!bucket.take()) answer429();
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly clock: Clock;

  constructor(limits: { rateLimit: number; burstLimit: number }, clock: Clock) {
    this.rate = limits.rateLimit;
    this.burst = limits.burstLimit;
    this.clock = clock;
    this.tokens = limits.burstLimit;
    this.updatedAt = clock.now();
  }

  /** Takes a token if there is one. */
  take(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
