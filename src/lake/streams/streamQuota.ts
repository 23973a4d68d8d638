import { TokenBucket } from '../../gateway/tokenBucket.js';
import type { Clock } from '../../shared/clock.js';

/**
 * A stream's Direct PUT quota: records, requests and bytes per second, each a token bucket holding one second's
 * worth. A request over the request quota is refused whole; within it, the records the record and byte buckets
 * cover are accepted in order and the rest refused (PutRecordBatch's partial failure).
 */
export class StreamQuota {
  private readonly requests: TokenBucket;
  private readonly recordsPerSecond: number;
  private readonly bytesPerSecond: number;
  private records: number;
  private bytes: number;
  private updatedAt: number;
  private readonly clock: Clock;

  constructor(quota: { recordsPerSecond: number; requestsPerSecond: number; bytesPerSecond: number }, clock: Clock) {
    this.clock = clock;
    this.requests = new TokenBucket({ rateLimit: quota.requestsPerSecond, burstLimit: quota.requestsPerSecond }, clock);
    this.recordsPerSecond = quota.recordsPerSecond;
    this.bytesPerSecond = quota.bytesPerSecond;
    this.records = quota.recordsPerSecond;
    this.bytes = quota.bytesPerSecond;
    this.updatedAt = clock.now();
  }

  /** One request against the requests-per-second quota. */
  request(): boolean {
    return this.requests.take();
  }

  /** How many of these records, in order, the record and byte quotas cover now; takes their tokens. */
  take(records: readonly Buffer[]): number {
    const now = this.clock.now();
    const elapsed = (now - this.updatedAt) / 1000;
    this.updatedAt = now;
    this.records = Math.min(this.recordsPerSecond, this.records + elapsed * this.recordsPerSecond);
    this.bytes = Math.min(this.bytesPerSecond, this.bytes + elapsed * this.bytesPerSecond);
    let total = 0;
    for (const record of records) total += record.length;
    if (records.length <= this.records && total <= this.bytes) {
      this.records -= records.length;
      this.bytes -= total;
      return records.length;
    }
    let admitted = 0;
    for (const record of records) {
      if (this.records < 1 || this.bytes < record.length) break;
      this.records -= 1;
      this.bytes -= record.length;
      admitted += 1;
    }
    return admitted;
  }
}
