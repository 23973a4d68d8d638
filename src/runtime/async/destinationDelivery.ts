import { join } from 'node:path';
import type { Destination } from '../../model/functionSchema.js';
import { writeAndSync } from '../../shared/durableFile.js';

/** Where destinations write, and how a function destination is invoked. */
export interface DeliveryTargets {
  readonly dataDir: string;
  /** Queues an asynchronous invocation of another function. */
  readonly invokeAsync: (functionName: string, payload: string, parentRequestId: string) => Promise<string>;
  /** Writes an object to the object store (atomically, durably). */
  readonly putObject: (bucket: string, key: string, body: Buffer) => Promise<unknown>;
}

/** The object key of an S3 destination record (prefix + `aws/lambda/async/<function>/yyyy/MM/dd/HH/<id>.json`). */
export function bucketRecordKey(
  prefix: string | undefined,
  functionName: string,
  requestId: string,
  at: number,
): string {
  const hour = new Date(at).toISOString().slice(0, 13).replace('T', '/').replaceAll('-', '/');
  return `${prefix ?? ''}aws/lambda/async/${functionName}/${hour}/${requestId}.json`;
}

/**
 * Sends an invocation record to a destination: another function (as an asynchronous invocation), a queue
 * (appended to `<dataDir>/queues/<name>.ndjson` until queues are modelled), or a bucket (an object in the
 * object store, readable with S3's API). Each write is fsynced.
 */
export async function deliver(
  destination: Destination,
  record: Record<string, unknown>,
  context: { targets: DeliveryTargets; functionName: string; requestId: string; now: number },
): Promise<void> {
  const body = JSON.stringify(record);
  if ('function' in destination) {
    await context.targets.invokeAsync(destination.function, body, context.requestId);
  } else if ('queue' in destination) {
    await writeAndSync(join(context.targets.dataDir, 'queues', `${destination.queue}.ndjson`), `${body}\n`, 'a');
  } else {
    const key = bucketRecordKey(destination.prefix, context.functionName, context.requestId, context.now);
    await context.targets.putObject(destination.bucket, key, Buffer.from(body));
  }
}
