import { randomUUID } from 'node:crypto';

/** A Lambda-style request id (a v4 UUID, as AWS uses). */
export function newRequestId(): string {
  return randomUUID();
}

/** A short random hex id, e.g. for environment and log-stream names. */
export function newShortId(bytes = 16): string {
  return randomUUID()
    .replaceAll('-', '')
    .slice(0, bytes * 2);
}
