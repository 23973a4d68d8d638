import { format } from 'node:util';

const LEVELS = {
  log: 'INFO',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  debug: 'DEBUG',
  trace: 'TRACE',
} as const;

/**
 * Routes `console.*` and raw stdout/stderr writes of the environment to `emit`, formatted as Lambda's Node
 * runtime formats them: `2026-12-04T10:00:00.000Z\t<requestId>\tINFO\tmessage`. Lines logged outside an
 * invocation (during init) carry `undefined` as the request id, as on AWS.
 */
export function captureConsole(emit: (text: string) => void, currentRequestId: () => string | undefined): void {
  for (const [method, level] of Object.entries(LEVELS)) {
    Object.defineProperty(console, method, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        emit(`${new Date().toISOString()}\t${String(currentRequestId())}\t${level}\t${format(...args)}`);
      },
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      emit(text.endsWith('\n') ? text.slice(0, -1) : text);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    };
    Object.defineProperty(stream, 'write', { configurable: true, writable: true, value: write });
  }
}
