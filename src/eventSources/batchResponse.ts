import { isJsonObject } from '../shared/jsonObject.js';

/** How a batch ended, read from the function's answer. */
export type BatchOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly functionError: string | undefined }
  /** Partial batch response: the records from `from` on are retried (the lowest reported identifier). */
  | { readonly kind: 'partial'; readonly from: number };

/**
 * Reads a `ReportBatchItemFailures` answer as Lambda does: an empty or null response, or an empty or null
 * `batchItemFailures`, is complete success; an item without a usable `itemIdentifier` (missing, null, empty, not
 * in the batch) fails the whole batch; otherwise processing resumes at the lowest failed record.
 *
 * @example
 * partialBatchOutcome('{"batchItemFailures":[{"itemIdentifier":"100000000000000000007"}]}', ids);
 */
export function partialBatchOutcome(payload: string, identifiers: readonly string[]): BatchOutcome {
  let response: unknown;
  try {
    response = payload === '' ? null : JSON.parse(payload);
  } catch {
    return { kind: 'failure', functionError: undefined };
  }
  if (response === null || !isJsonObject(response)) return { kind: 'success' };
  const failures = response.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', functionError: undefined };
  if (failures.length === 0) return { kind: 'success' };
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = isJsonObject(failure) ? failure.itemIdentifier : undefined;
    const index = typeof id === 'string' && id !== '' ? identifiers.indexOf(id) : -1;
    if (index < 0) return { kind: 'failure', functionError: undefined };
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', from: lowest };
}
