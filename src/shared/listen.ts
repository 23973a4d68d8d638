import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TributaryError } from './tributaryError.js';

/**
 * Starts `server` on `host:port` and resolves with its base URL; fails with ERR_PORT_IN_USE (naming the option that
 * moves it) instead of waiting forever when the port is taken.
 */
export async function listen(
  server: Server,
  options: { port: number; host: string; what: string; option: string },
): Promise<string> {
  server.listen(options.port, options.host);
  try {
    await once(server, 'listening'); // rejects on the server's 'error' event
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new TributaryError(
        'ERR_PORT_IN_USE',
        `Cannot serve the ${options.what} on ${options.host}:${options.port} (${code})`,
        {
          hint: `Stop what uses the port, or choose another with ${options.option} (0 picks a free one).`,
          cause: error,
        },
      );
    }
    throw error;
  }
  return `http://${options.host}:${(server.address() as AddressInfo).port}`;
}
