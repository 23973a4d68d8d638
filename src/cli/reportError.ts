import { isTributaryError } from '../shared/tributaryError.js';

/**
 * Prints an error as one clear line plus what to do, never a stack trace (unless TRIBUTARY_DEBUG is set),
 * and returns the exit code: 1 for the user's mistakes, 2 for Tributary's own faults.
 */
export function reportError(error: unknown): number {
  if (isTributaryError(error)) {
    const [first, ...rest] = error.message.split('\n');
    console.error(`error: ${first}`);
    for (const line of rest) console.error(line);
    if (error.hint !== undefined) console.error(`hint: ${error.hint}`);
    if (process.env.TRIBUTARY_DEBUG !== undefined && error.stack !== undefined) console.error(error.stack);
    return error.kind === 'user' ? 1 : 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: internal error: ${message}`);
  console.error('hint: this is a bug in Tributary; run again with TRIBUTARY_DEBUG=1 and report the stack trace.');
  if (process.env.TRIBUTARY_DEBUG !== undefined && error instanceof Error) console.error(error.stack);
  return 2;
}
