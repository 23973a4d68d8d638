import { LAMBDA_PRICE_USD } from '../model/awsLimits.js';

export interface BillingInput {
  /** Handler time, ms (fractional). */
  readonly durationMs: number;
  /** Init time on a cold start, ms; billed for on-demand functions since Aug 2025. */
  readonly initDurationMs: number;
  readonly memorySizeMb: number;
  readonly architecture: 'x86_64' | 'arm64';
}

export interface Bill {
  /** Rounded up to the next 1 ms, init included. */
  readonly billedDurationMs: number;
  readonly gbSeconds: number;
  /** Duration plus the per-request charge, at us-east-1 first-tier prices. */
  readonly costUsd: number;
}

/**
 * What one invocation costs on Lambda: per-1 ms duration times configured memory, plus the request charge.
 *
 * @example
 * bill({ durationMs: 12.3, initDurationMs: 0, memorySizeMb: 1024, architecture: 'x86_64' }).billedDurationMs; // 13
 */
export function bill(input: BillingInput): Bill {
  const billedDurationMs = Math.max(1, Math.ceil(input.durationMs + input.initDurationMs));
  const gbSeconds = (input.memorySizeMb / 1024) * (billedDurationMs / 1000);
  const perGbSecond =
    input.architecture === 'arm64' ? LAMBDA_PRICE_USD.perGbSecondArm : LAMBDA_PRICE_USD.perGbSecondX86;
  return { billedDurationMs, gbSeconds, costUsd: gbSeconds * perGbSecond + LAMBDA_PRICE_USD.perRequest };
}
