import type { JsonObject } from '../shared/jsonObject.js';

/** One record of a source, as an event source mapping handles it. */
export interface SourceRecord {
  /** Its place in the source: increasing, what checkpoints store. */
  readonly position: bigint;
  /** What a partial batch response names it by (a stream's SequenceNumber). */
  readonly identifier: string;
  /** When the source received it (record age, batch info). */
  readonly arrivalMs: number;
  /** Records with one key stay in order across parallel lanes. */
  readonly partitionKey: string;
  /** The record as it goes into the function's `Records`. */
  readonly event: JsonObject;
  /** About how many bytes of JSON `event` is (for the 6 MB payload limit; an upper bound is fine). */
  readonly bytes: number;
}

/**
 * What an event source mapping polls: a stream shard now, a queue later. Positions only grow; `subscribe` tells a
 * waiting poller that records were added, so it need not poll on a timer.
 */
export interface RecordSource {
  /** The source's ARN (`eventSourceARN`). */
  readonly arn: string;
  /** The shard (batch info's `shardId`). */
  readonly shardId: string;
  /** Up to `limit` records after `position`, oldest first. */
  read(after: bigint, limit: number): SourceRecord[];
  /** The position of the newest record (LATEST starts after it). */
  latest(): bigint;
  subscribe(listener: () => void): () => void;
}
