import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey, UsagePlan } from '../../model/httpAuthSchema.js';
import type { Clock } from '../../shared/clock.js';
import { TokenBucket } from '../tokenBucket.js';

export type KeyVerdict =
  | { readonly ok: true; readonly keyId: string; readonly keyValue: string }
  | { readonly ok: false; readonly reason: 'forbidden' | 'throttled' | 'quota' };

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The start of the quota period containing `nowMs` (UTC; weeks start on Monday). */
function periodStart(period: 'DAY' | 'WEEK' | 'MONTH', nowMs: number): number {
  const d = new Date(nowMs);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day;
  if (period === 'MONTH') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
}

interface KeyState {
  readonly id: string;
  readonly value: string;
  readonly digest: Buffer;
  readonly plan: UsagePlan;
  readonly bucket: TokenBucket | undefined;
  used: number;
  periodStartedAt: number;
}

/**
 * A REST API's API keys and usage plans: the `x-api-key` header must name a key (403 Forbidden otherwise), then
 * the key's plan throttles it (429 Too Many Requests) and counts it against its quota (429 Limit Exceeded).
 * Keys are compared as SHA-256 digests in constant time, every key every time, so timing reveals nothing.
 */
export class ApiKeyGate {
  private readonly keys: KeyState[];
  private readonly clock: Clock;

  constructor(apiKeys: Readonly<Record<string, ApiKey>>, plans: Readonly<Record<string, UsagePlan>>, clock: Clock) {
    this.clock = clock;
    this.keys = Object.entries(apiKeys).map(([id, key]) => {
      const plan = plans[key.usagePlan] ?? {};
      return {
        id,
        value: key.value,
        digest: digest(key.value),
        plan,
        bucket: plan.throttle === undefined ? undefined : new TokenBucket(plan.throttle, clock),
        used: 0,
        periodStartedAt: 0,
      };
    });
  }

  check(presented: string | undefined): KeyVerdict {
    const key = presented === undefined ? undefined : this.find(presented);
    if (key === undefined) return { ok: false, reason: 'forbidden' };
    if (key.bucket !== undefined && !key.bucket.take()) return { ok: false, reason: 'throttled' };
    const quota = key.plan.quota;
    if (quota !== undefined) {
      const start = periodStart(quota.period, this.clock.now());
      if (start !== key.periodStartedAt) {
        key.periodStartedAt = start;
        key.used = 0;
      }
      if (key.used >= quota.limit) return { ok: false, reason: 'quota' };
      key.used += 1;
    }
    return { ok: true, keyId: key.id, keyValue: key.value };
  }

  private find(presented: string): KeyState | undefined {
    const wanted = digest(presented);
    let found: KeyState | undefined;
    for (const key of this.keys) if (timingSafeEqual(key.digest, wanted) && found === undefined) found = key;
    return found;
  }
}
