import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Destination } from '../../model/functionSchema.js';
import { newShortId } from '../../shared/ids.js';

/** Where destinations write, and how a function destination is invoked. */
export interface DeliveryTargets {
  readonly dataDir: string;
  /** Queues an asynchronous invocation of another function. */
  readonly invokeAsync: (functionName: string, payload: string, parentRequestId: string) => Promise<string>;
}

async function writeDurably(file: string, data: string, flags: 'a' | 'w'): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, flags);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
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
 * (appended to `<dataDir>/queues/<name>.ndjson` until queues are modelled), or a bucket (an object under the
 * object store's folder, written aside and renamed so it appears whole). Each write is fsynced.
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
    await writeDurably(join(context.targets.dataDir, 'queues', `${destination.queue}.ndjson`), `${body}\n`, 'a');
  } else {
    const key = bucketRecordKey(destination.prefix, context.functionName, context.requestId, context.now);
    const file = join(context.targets.dataDir, 's3', destination.bucket, key);
    const temporary = `${file}.${newShortId(6)}.tmp`;
    await writeDurably(temporary, body, 'w');
    await rename(temporary, file);
  }
}
