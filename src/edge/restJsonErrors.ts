import { isTributaryError } from '../shared/tributaryError.js';
import { type EdgeResponse, json } from './edgeMessage.js';

/**
 * An error in the REST-JSON protocol (Lambda, API Gateway management): the type in `x-amzn-ErrorType`, the
 * message and AWS's extra fields (`Type`, `Reason`) in the body, so SDK clients raise the right exception class.
 */
export function restJsonError(
  status: number,
  type: string,
  message: string,
  fields: Record<string, unknown> = {},
): EdgeResponse {
  return json(status, { Type: 'User', ...fields, Message: message, message }, { 'x-amzn-errortype': type });
}

/** Maps any error thrown by a module API to the REST-JSON error AWS would answer. */
export function toRestJsonError(error: unknown): EdgeResponse {
  if (isTributaryError(error) && error.aws !== undefined) {
    return restJsonError(error.aws.status, error.aws.type, error.message, { ...error.aws.fields });
  }
  const message = error instanceof Error ? error.message : String(error);
  return restJsonError(500, 'ServiceException', message, { Type: 'Service' });
}
