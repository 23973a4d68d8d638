import { TributaryError } from '../shared/tributaryError.js';

/** The account id every local resource lives in (LocalStack's convention). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`. */
export function functionArn(region: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`;
}

/** A parsed `FunctionName` as Invoke takes it: a name, `name:qualifier`, a full or partial ARN. */
export interface FunctionReference {
  readonly name: string;
  readonly qualifier: string | undefined;
}

const FULL_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;
const PARTIAL_ARN = /^\d{12}:function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;
const NAME = /^([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]+))?$/;

/**
 * Parses the forms Lambda's Invoke accepts for `FunctionName`.
 *
 * @example
 * parseFunctionReference('arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST');
 * // { name: 'orders', qualifier: '$LATEST' }
 */
export function parseFunctionReference(reference: string): FunctionReference {
  const match = FULL_ARN.exec(reference) ?? PARTIAL_ARN.exec(reference) ?? NAME.exec(reference);
  if (match === null || match[1] === undefined) {
    throw new TributaryError('ERR_INVALID_ARGUMENT', `Invalid function name or ARN: ${reference}`, {
      aws: { type: 'ValidationException', status: 400 },
    });
  }
  return { name: match[1], qualifier: match[2] };
}
