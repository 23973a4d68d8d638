import type { PutOutcome } from '../lake/streams/deliveryStream.js';
import type { DeliveryStreams } from '../lake/streams/deliveryStreams.js';
import { splitNdjson } from '../lake/streams/ndjsonLines.js';
import { extractPartitionKeys } from '../lake/streams/partitionKeys.js';
import { staticPrefix } from '../lake/streams/prefixExpressions.js';
import { isJsonObject } from '../shared/jsonObject.js';
import { isTributaryError } from '../shared/tributaryError.js';
import type { GatewayRequest } from './gatewayRequest.js';
import { type GatewayResponse, gatewayError } from './gatewayResponse.js';

/** Responses list every record up to what one PutRecordBatch would; larger bodies get a summary. */
const MAX_LISTED_RECORDS = 500;

const NDJSON_TYPES = /^application\/(x-ndjson|jsonl|x-jsonlines|jsonlines)\b/i;

/**
 * The records in a request body: a JSON array (one record per element), NDJSON (one per non-empty line), or one
 * JSON object. NDJSON lines are passed on as sent, not parsed: as with Firehose, whether a record fits the table
 * is decided at delivery, and one that does not lands in the error prefix. A canonical NDJSON body comes back as a
 * block too, which the stream keeps whole.
 */
export function recordsOf(request: GatewayRequest): Buffer[] | { records: Buffer[]; block: Buffer } | string {
  const body = request.body;
  if (body.length === 0) return 'The request body is empty: send a JSON object, a JSON array or NDJSON';
  const type = request.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  let start = 0;
  while (
    start < body.length &&
    (body[start] === 0x20 || body[start] === 0x0a || body[start] === 0x0d || body[start] === 0x09)
  )
    start += 1;
  if (!NDJSON_TYPES.test(type) && body[start] === 0x5b) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return `The body is not a JSON array: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (!Array.isArray(parsed) || parsed.length === 0) return 'A JSON array body must hold at least one record';
    return parsed.map((item) => Buffer.from(JSON.stringify(item)));
  }
  const { records, clean } = splitNdjson(body);
  // Without an NDJSON content type, several lines may be one pretty-printed JSON object: one record, compacted.
  if (records.length > 1 && !NDJSON_TYPES.test(type)) {
    const whole = parsedObject(body);
    if (whole !== undefined) return [Buffer.from(JSON.stringify(whole))];
  }
  if (records.length > 0 && clean) return { records, block: body };
  return records.length === 0 ? 'The request body holds no records' : records;
}

/** The body as one JSON object, or undefined (NDJSON fails at its second line, so this costs one record's parse). */
function parsedObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * API Gateway's Firehose service integration: the route's records go straight into the delivery stream (no
 * function), acknowledged once durable. The answer is PutRecordBatch's: `FailedPutCount` and, for up to 500
 * records, each record's `RecordId` or error.
 */
export async function putToStream(
  streams: DeliveryStreams | undefined,
  name: string,
  request: GatewayRequest,
  writeGrants?: readonly string[],
): Promise<GatewayResponse> {
  const parsed = recordsOf(request);
  if (typeof parsed === 'string') return gatewayError(400, parsed);
  const records = Array.isArray(parsed) ? parsed : parsed.records;
  const block = Array.isArray(parsed) ? undefined : parsed.block;
  if (streams === undefined) return gatewayError(500, 'Internal Server Error');
  if (writeGrants !== undefined) {
    const outside = firstOutsideGrants(streams, name, records, writeGrants);
    if (outside !== undefined)
      return {
        status: 403,
        headers: [['content-type', 'application/json']],
        body: Buffer.from(
          JSON.stringify({ __type: 'AccessDeniedException', message: `Not allowed to write to ${outside}` }),
        ),
      };
  }
  let outcome: PutOutcome;
  try {
    outcome = await streams.get(name).put(records, block);
  } catch (error) {
    if (isTributaryError(error) && error.aws !== undefined) {
      return {
        status: error.aws.status === 503 ? 503 : 500,
        headers: [['content-type', 'application/json']],
        body: Buffer.from(JSON.stringify({ __type: error.aws.type, message: error.message })),
      };
    }
    throw error;
  }
  const failed = outcome.total - outcome.accepted;
  const body =
    outcome.total <= MAX_LISTED_RECORDS
      ? {
          FailedPutCount: failed,
          Encrypted: false,
          RequestResponses: outcome
            .recordIds()
            .map((id) =>
              id === undefined
                ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
                : { RecordId: id },
            ),
        }
      : { FailedPutCount: failed, Encrypted: false, RecordCount: outcome.total };
  return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(body)) };
}

/**
 * The first place a record would be written that the caller's write grants do not cover (`bucket/prefix`), or
 * undefined: with dynamic partitioning each record's keys decide, so a department cannot write another's prefix.
 */
function firstOutsideGrants(
  streams: DeliveryStreams,
  name: string,
  records: readonly Buffer[],
  grants: readonly string[],
): string | undefined {
  const { config } = streams.get(name);
  const keys = config.dynamicPartitioning?.keys;
  const check = (partitionKeys: Record<string, string> | undefined): string | undefined => {
    const target = `${config.bucket}/${staticPrefix(config.prefix, partitionKeys)}`;
    return grants.some((grant) => target.startsWith(grant)) ? undefined : target;
  };
  if (keys === undefined) return check(undefined);
  for (const record of records) {
    // Records without their keys go to the error prefix, not to a department's; they need no grant here.
    const extracted = extractPartitionKeys(record, keys);
    const outside = extracted === undefined ? undefined : check(extracted);
    if (outside !== undefined) return outside;
  }
  return undefined;
}
