import type { Clock } from '../../shared/clock.js';

/** Enough for any local workload; the oldest entry goes first beyond it. */
const MAX_ENTRIES = 10_000;

/**
 * Authorizer results by identity-source values, each kept for the authorizer's TTL on the injected clock. As on
 * AWS, a cached answer serves every route the authorizer guards; policies are re-evaluated per route.
 */
export class AuthorizerCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expiresAt: number }>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.clock.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlSeconds * 1000 });
  }
}
