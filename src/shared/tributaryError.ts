import { ERROR_CODES, type ErrorCode } from './errorCodes.js';

/** What an error means on the wire, for errors that AWS's APIs return (type and HTTP status). */
export interface AwsErrorShape {
  /** AWS's error type, e.g. `TooManyRequestsException`. */
  readonly type: string;
  /** The HTTP status AWS answers with. */
  readonly status: number;
  /** Extra fields AWS puts in the error body, e.g. `Reason` for throttles. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface TributaryErrorOptions {
  readonly aws?: AwsErrorShape;
  /** What the user can do about it; printed by the CLI under the message. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/**
 * The one error class Tributary throws. Every error carries a `code` from the registry.
 *
 * @example
 * throw new TributaryError('ERR_FUNCTION_NOT_FOUND', 'Function not found: nope', {
 *   aws: { type: 'ResourceNotFoundException', status: 404 },
 * });
 */
export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly aws: AwsErrorShape | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TributaryError';
    this.code = code;
    this.aws = options.aws;
    this.hint = options.hint;
  }

  /** `user` when the user can fix it, `system` when Tributary or the machine failed. */
  get kind(): 'user' | 'system' {
    return ERROR_CODES[this.code].kind;
  }
}

/** True when `error` is a TributaryError, optionally with the given code. */
export function isTributaryError(error: unknown, code?: ErrorCode): error is TributaryError {
  return error instanceof TributaryError && (code === undefined || error.code === code);
}
