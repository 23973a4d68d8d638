import { readFile } from 'node:fs/promises';
import { DevSession } from '../dev/devSession.js';
import { executionLog } from '../runtime/executionLog.js';
import { createLogger } from '../shared/logger.js';
import { TributaryError } from '../shared/tributaryError.js';

export interface InvokeCommandOptions {
  readonly app: string;
  readonly dataDir?: string;
  readonly event?: string;
  readonly log?: boolean;
}

async function readEvent(source: string | undefined): Promise<string> {
  if (source === undefined) return '{}';
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    throw new TributaryError('ERR_INVALID_ARGUMENT', `Cannot read the event file ${source}`, {
      hint: 'Pass --event with a path to a JSON file, or --event - to read the event from standard input.',
      cause: error,
    });
  }
}

/**
 * `tributary invoke <function>`: one invocation in a fresh runtime. Prints the result on stdout (the log with
 * --log on stderr); exits 1 when the function failed, as a script would want.
 */
export async function invokeCommand(functionName: string, options: InvokeCommandOptions): Promise<number> {
  const payload = await readEvent(options.event);
  const session = await DevSession.start({
    appDir: options.app,
    watch: false,
    // A private endpoint on a free port, so a handler that invokes other functions works here too.
    edgePort: 0,
    // One invocation needs no HTTP API, and must not take the port of a `tributary dev` that is running.
    httpPort: false,
    wsPort: false,
    logger: createLogger({ level: 'warn' }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  try {
    const result = await session.runtime.invoke({ functionName, payload });
    if (options.log === true && result.record !== undefined) {
      for (const line of executionLog(result.record)) console.error(line);
    }
    let printed = result.payload;
    try {
      printed = JSON.stringify(JSON.parse(result.payload), null, 2);
    } catch {
      // Not JSON (cannot happen for RequestResponse); print it as it came.
    }
    console.log(printed);
    return result.functionError === undefined ? 0 : 1;
  } finally {
    await session.stop();
  }
}
