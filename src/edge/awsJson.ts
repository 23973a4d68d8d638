import { isJsonObject } from '../shared/jsonObject.js';
import type { EdgeRequest, EdgeResponse } from './edgeMessage.js';

/** The AWS JSON 1.1 protocol (Firehose, Athena): `X-Amz-Target: <Service>.<Operation>`, JSON in and out. */
export const AWS_JSON_11 = 'application/x-amz-json-1.1';

/** An error as JSON 1.1 sends it: `__type` (and the header) name the exception the SDK raises. */
export function awsJsonError(status: number, type: string, message: string): EdgeResponse {
  return {
    status,
    headers: { 'content-type': AWS_JSON_11, 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, Message: message, message }),
  };
}

export const awsJsonOk = (body: unknown): EdgeResponse => ({
  status: 200,
  headers: { 'content-type': AWS_JSON_11 },
  body: JSON.stringify(body),
});

/** A JSON 1.1 request: its operation (after the target prefix) and its input object, or the error to answer. */
export function awsJsonRequest(
  request: EdgeRequest,
  targetPrefix: string,
  invalidType: string,
): { operation: string; input: Record<string, unknown> } | EdgeResponse {
  const operation = (request.headers['x-amz-target'] ?? '').slice(targetPrefix.length);
  let input: unknown;
  try {
    input = JSON.parse(request.body.toString('utf8') || '{}');
  } catch {
    return awsJsonError(400, invalidType, 'The request body is not JSON');
  }
  if (!isJsonObject(input)) return awsJsonError(400, invalidType, 'The request body must be a JSON object');
  return { operation, input };
}
