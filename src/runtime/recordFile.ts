import type { InvocationRecord } from './invocationRecord.js';

/** `invocations.ndjson` in the data directory: one record per line, appended as invocations end. */
export const RECORDS_FILE = 'invocations.ndjson';

/** The records in a chunk of that file; a partial last line (being written right now) is skipped. */
export function parseRecords(text: string): InvocationRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as InvocationRecord];
      } catch {
        return [];
      }
    });
}
