/**
 * The registry of Tributary's error codes. `docs/errors.md` lists the same codes; a test keeps the two in sync.
 *
 * `kind` separates mistakes the user can fix (`user`) from faults of Tributary or the machine (`system`).
 */
export const ERROR_CODES = {
  ERR_CONFIG_NOT_FOUND: { kind: 'user', summary: 'No tributary.config.ts/.js/.mjs in the app folder.' },
  ERR_CONFIG_LOAD: { kind: 'user', summary: 'The config file could not be compiled or evaluated.' },
  ERR_CONFIG_INVALID: { kind: 'user', summary: 'The config does not match the schema; every problem is listed.' },
  ERR_FUNCTION_NOT_FOUND: { kind: 'user', summary: 'No function of that name in the app (ResourceNotFoundException).' },
  ERR_INVALID_PAYLOAD: { kind: 'user', summary: 'The payload is not JSON (InvalidRequestContentException).' },
  ERR_PAYLOAD_TOO_LARGE: { kind: 'user', summary: 'The request payload is over the limit (RequestTooLargeException).' },
  ERR_THROTTLED: { kind: 'user', summary: 'A concurrency limit was reached (TooManyRequestsException).' },
  ERR_PORT_IN_USE: { kind: 'user', summary: 'A server could not listen: its port is taken (or not allowed).' },
  ERR_OBJECT_STORE: {
    kind: 'user',
    summary: 'An object-store request failed as S3 fails it (NoSuchKey, BucketNotEmpty, ...).',
  },
  ERR_STREAM_UNAVAILABLE: {
    kind: 'user',
    summary: 'A delivery stream is over its quota or buffer and refuses puts (ServiceUnavailableException).',
  },
  ERR_STREAM_NOT_FOUND: {
    kind: 'user',
    summary: 'No delivery stream of that name in the app (ResourceNotFoundException).',
  },
  ERR_STREAM_INVALID_ARGUMENT: {
    kind: 'user',
    summary: 'A Firehose request breaks a limit: record, batch size or count (InvalidArgumentException).',
  },
  ERR_QUERY_REFUSED: {
    kind: 'user',
    summary: 'A query is not one read-only statement over catalog tables, or breaks a limit (InvalidRequestException).',
  },
  ERR_ACCESS_DENIED: {
    kind: 'user',
    summary: 'The caller is not granted the tables or prefixes it asked for (AccessDeniedException).',
  },
  ERR_QUERY_LIMIT: {
    kind: 'user',
    summary: 'A workgroup is at its active and queued query limits (TooManyRequestsException).',
  },
  ERR_DISPOSED: { kind: 'user', summary: 'The runtime was stopped; no new invocations are accepted.' },
  ERR_INVALID_ARGUMENT: { kind: 'user', summary: 'A command-line argument or API argument is invalid.' },
} as const satisfies Record<string, { kind: 'user' | 'system'; summary: string }>;

/** One of Tributary's error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;
