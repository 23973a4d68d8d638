import { randomUUID } from 'node:crypto';
import type { StreamViewType } from '../model/tableSchema.js';
import type { JsonObject } from '../shared/jsonObject.js';
import type { Item } from './itemImages.js';

/** One change to one item, as captured while its lock was held. */
export interface ItemChange {
  readonly keys: Item;
  readonly oldImage: Item | undefined;
  readonly newImage: Item | undefined;
  /** A TTL expiry: the record names DynamoDB's service as the identity that deleted the item. */
  readonly byTtl?: boolean;
}

/**
 * A DynamoDB Streams record for a change, as the Streams API returns it (the `SequenceNumber` is added when read;
 * Lambda's event adds `eventSourceARN` and spells `userIdentity`'s fields in lower camel case). Images follow the
 * stream's view type.
 */
export function streamRecord(
  change: ItemChange,
  options: { viewType: StreamViewType; region: string; nowMs: number; sizeOf: (item: Item) => number },
): JsonObject {
  const { keys, oldImage, newImage } = change;
  const eventName = oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY';
  const withNew = options.viewType === 'NEW_IMAGE' || options.viewType === 'NEW_AND_OLD_IMAGES';
  const withOld = options.viewType === 'OLD_IMAGE' || options.viewType === 'NEW_AND_OLD_IMAGES';
  const dynamodb: JsonObject = {
    ApproximateCreationDateTime: Math.floor(options.nowMs / 1000),
    Keys: keys,
  };
  let size = options.sizeOf(keys);
  if (withNew && newImage !== undefined) {
    dynamodb.NewImage = newImage;
    size += options.sizeOf(newImage);
  }
  if (withOld && oldImage !== undefined) {
    dynamodb.OldImage = oldImage;
    size += options.sizeOf(oldImage);
  }
  dynamodb.SequenceNumber = '';
  dynamodb.SizeBytes = size;
  dynamodb.StreamViewType = options.viewType;
  return {
    eventID: randomUUID().replaceAll('-', ''),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: options.region,
    dynamodb,
    ...(change.byTtl === true ? { userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}
