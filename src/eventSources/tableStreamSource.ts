import type { JsonObject } from '../shared/jsonObject.js';
import type { StreamStore, TableStream } from '../tables/streamStore.js';
import { shardIdOf } from '../tables/streamsApi.js';
import type { RecordSource, SourceRecord } from './recordSource.js';

/** A Streams API record as Lambda's DynamoDB event carries it: `eventSourceARN` added, `userIdentity` in camel case. */
function lambdaEvent(record: JsonObject, arn: string): JsonObject {
  const { userIdentity, ...rest } = record;
  const identity = userIdentity as { Type: string; PrincipalId: string } | undefined;
  return {
    ...rest,
    eventSourceARN: arn,
    ...(identity === undefined ? {} : { userIdentity: { type: identity.Type, principalId: identity.PrincipalId } }),
  };
}

/**
 * A table's stream as an event source: one shard, records with `eventSourceARN` added as Lambda's DynamoDB events
 * carry it, partitioned by item key for `parallelizationFactor`.
 *
 * @example
 * const source = new TableStreamSource(store, store.enabled('orders'));
 */
export class TableStreamSource implements RecordSource {
  readonly arn: string;
  readonly shardId: string;
  private readonly store: StreamStore;

  constructor(store: StreamStore, stream: TableStream) {
    this.store = store;
    this.arn = stream.arn;
    this.shardId = shardIdOf(stream);
  }

  read(after: bigint, limit: number): SourceRecord[] {
    return this.store.read(this.arn, after, limit).map((stored) => {
      const dynamodb = stored.record.dynamodb as { Keys?: unknown; SequenceNumber: string };
      return {
        position: stored.seq,
        identifier: dynamodb.SequenceNumber,
        arrivalMs: stored.createdMs,
        partitionKey: JSON.stringify(dynamodb.Keys),
        event: lambdaEvent(stored.record, this.arn),
        // The stored JSON plus `"eventSourceARN":"…",` (the sequence number's digits replace an empty string).
        bytes: stored.bytes + this.arn.length + 64,
      };
    });
  }

  latest(): bigint {
    return this.store.head();
  }

  subscribe(listener: () => void): () => void {
    const onAppend = (arn: string): void => {
      if (arn === this.arn) listener();
    };
    this.store.events.on('appended', onAppend);
    return () => this.store.events.off('appended', onAppend);
  }
}
