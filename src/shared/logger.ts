import { pino } from 'pino';

/** A log method: structured fields first, then a short message (pino's signature). */
export type LogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The logger every module receives; structurally a subset of pino's, so a pino logger is one.
 * One call writes one line (one event).
 */
export interface Logger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  child(bindings: Record<string, unknown>): Logger;
}

export interface CreateLoggerOptions {
  readonly level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Where lines go; a file descriptor (default 2, stderr) or a writable stream. */
  readonly destination?: number | NodeJS.WritableStream;
}

/**
 * Creates the structured JSON logger (pino), one JSON object per line.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * logger.info({ functionName: 'orders' }, 'environment created');
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const destination = options.destination ?? 2;
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino({ level: options.level ?? 'info', base: null }, stream);
}

/** A logger that drops everything; for code paths that were given none. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
