import { LAMBDA } from '../model/awsLimits.js';
import { TributaryError } from '../shared/tributaryError.js';
import type { ErrorDocument } from './environment/errorDocument.js';

/** Why a request was throttled: the `Reason` field of Lambda's TooManyRequestsException. */
export type ThrottleReason = 'ConcurrentInvocationLimitExceeded' | 'ReservedFunctionConcurrentInvocationLimitExceeded';

/** Lambda's 404 for an unknown function (or an unknown qualifier). */
export function functionNotFound(arn: string): TributaryError {
  return new TributaryError('ERR_FUNCTION_NOT_FOUND', `Function not found: ${arn}`, {
    aws: { type: 'ResourceNotFoundException', status: 404, fields: { Type: 'User' } },
    hint: 'Check the function name against `functions` in tributary.config.ts.',
  });
}

/** Lambda's 400 for a body that is not JSON. */
export function invalidPayload(detail: string): TributaryError {
  return new TributaryError(
    'ERR_INVALID_PAYLOAD',
    `Could not parse request body into json: Could not parse payload into json: ${detail}`,
    { aws: { type: 'InvalidRequestContentException', status: 400, fields: { Type: 'User' } } },
  );
}

/** Lambda's 413, with its wording: `N byte payload is too large for the Event invocation type (limit L bytes)`. */
export function payloadTooLarge(bytes: number, invocationType: string, limit: number): TributaryError {
  return new TributaryError(
    'ERR_PAYLOAD_TOO_LARGE',
    `${bytes} byte payload is too large for the ${invocationType} invocation type (limit ${limit} bytes)`,
    { aws: { type: 'RequestTooLargeException', status: 413, fields: { Type: 'User' } } },
  );
}

/** Lambda's 429 for a concurrency limit. */
export function throttled(reason: ThrottleReason): TributaryError {
  return new TributaryError('ERR_THROTTLED', 'Rate Exceeded.', {
    aws: { type: 'TooManyRequestsException', status: 429, fields: { Type: 'User', Reason: reason } },
    hint:
      reason === 'ReservedFunctionConcurrentInvocationLimitExceeded'
        ? "The function's reservedConcurrency is in use (or is 0)."
        : 'The unreserved part of limits.accountConcurrency is in use.',
  });
}

/** The function error Lambda reports when a response is over 6 MB. */
export const responseTooLarge: ErrorDocument = {
  errorType: 'Function.ResponseSizeTooLarge',
  errorMessage: `Response payload size exceeded maximum allowed payload size (${LAMBDA.responseLimitReportedBytes} bytes).`,
};
