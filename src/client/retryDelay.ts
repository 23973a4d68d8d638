/** Statuses worth retrying: throttled, or the server (or a gateway in front of it) failed. */
export const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Methods that are safe to send again (a POST may have been processed before it failed). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export const isIdempotent = (method: string | undefined): boolean =>
  IDEMPOTENT_METHODS.has((method ?? 'GET').toUpperCase());

/**
 * How long to wait before attempt `attempt + 1`: the server's `Retry-After` (seconds or an HTTP date) when it sent
 * one, else exponential backoff with full jitter (a random wait up to `base * 2^(attempt-1)`); never above `max`.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | null,
  options: { baseDelayMs: number; maxDelayMs: number; random: () => number; now: () => number },
): number {
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - options.now();
    if (Number.isFinite(ms)) return Math.min(options.maxDelayMs, Math.max(0, ms));
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(options.random() * ceiling);
}
