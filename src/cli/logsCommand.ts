import { existsSync, unwatchFile, watchFile } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveDataDir } from '../dev/devSession.js';
import { aggregateLine, aggregationOf } from '../runtime/aggregatedRequests.js';
import { executionLog } from '../runtime/executionLog.js';
import { type InvocationChain, invocationChains } from '../runtime/invocationChains.js';
import type { InvocationRecord } from '../runtime/invocationRecord.js';
import { parseRecords, RECORDS_FILE } from '../runtime/recordFile.js';
import { summaryLine } from './formatRecord.js';

export interface LogsCommandOptions {
  readonly app: string;
  readonly dataDir?: string;
  readonly follow?: boolean;
  readonly limit: number;
}

/** Recent records by parent, so an L1's line can show what its branches held and cost (bounded for --follow). */
class ChildIndex {
  private readonly byParent = new Map<string, InvocationRecord[]>();
  private readonly order: InvocationRecord[] = [];

  add(record: InvocationRecord): void {
    this.order.push(record);
    if (record.parentRequestId !== undefined) {
      const siblings = this.byParent.get(record.parentRequestId);
      if (siblings === undefined) this.byParent.set(record.parentRequestId, [record]);
      else siblings.push(record);
    }
    if (this.order.length > 50_000) {
      const dropped = this.order.shift();
      if (dropped?.parentRequestId !== undefined) this.byParent.delete(dropped.parentRequestId);
    }
  }

  readonly childrenOf = (requestId: string): readonly InvocationRecord[] => this.byParent.get(requestId) ?? [];
}

function print(record: InvocationRecord, index: ChildIndex): void {
  console.log(executionLog(record).join('\n'));
  const aggregation = aggregationOf(record, index.childrenOf);
  if (aggregation !== undefined) console.log(aggregateLine(aggregation));
}

/** One chain per event: a retried async event shows its attempts together, under one header. */
function printChain(chain: InvocationChain, index: ChildIndex): void {
  const [first] = chain.attempts;
  if (first !== undefined && chain.attempts.length > 1) {
    const outcomes = chain.attempts.map((a) => a.outcome).join(' -> ');
    console.log(`== ${first.functionName} ${chain.firstAttemptId}: ${chain.attempts.length} attempts (${outcomes})`);
  }
  for (const attempt of chain.attempts) {
    console.log(summaryLine(attempt));
    print(attempt, index);
  }
}

/**
 * `tributary logs [function]`: the execution logs of recent invocations (START, the function's lines, END,
 * REPORT, and for an L1 that fanned out an AGGREGATE line: branches, concurrency held, time billed while waiting,
 * retries, throttles, total cost), one chain per event (retries under their first attempt), read from the data directory, so it works
 * beside a running `tributary dev`. `--follow` keeps printing new attempts as they happen.
 */
export async function logsCommand(functionName: string | undefined, options: LogsCommandOptions): Promise<void> {
  const file = join(resolveDataDir(options.app, options.dataDir), RECORDS_FILE);
  const matches = (r: InvocationRecord): boolean => functionName === undefined || r.functionName === functionName;
  // Ctrl-C's listener first, before anything is printed: whoever reads the output may send SIGINT at once, and
  // without a listener Node's default handler would kill the process instead of letting it stop cleanly.
  // `on`, not `once`: removing the listener would restore Node's default handler, which kills on a second signal.
  const interrupted =
    options.follow === true ? new Promise<void>((resolve) => process.on('SIGINT', () => resolve())) : undefined;
  const text = existsSync(file) ? await readFile(file, 'utf8') : '';
  const records = parseRecords(text);
  const index = new ChildIndex();
  for (const record of records) index.add(record);
  for (const chain of invocationChains(records.filter(matches)).slice(-options.limit)) printChain(chain, index);
  if (interrupted === undefined) return;

  let offset = Buffer.byteLength(text, 'utf8');
  let partial = '';
  const readMore = async (): Promise<void> => {
    if (!existsSync(file)) return;
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size < offset) offset = 0; // the file was replaced
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      offset = size;
      const chunk = partial + buffer.toString('utf8');
      const cut = chunk.lastIndexOf('\n') + 1;
      partial = chunk.slice(cut);
      for (const record of parseRecords(chunk.slice(0, cut))) {
        index.add(record);
        if (!matches(record)) continue;
        console.log(summaryLine(record));
        print(record, index);
      }
    } finally {
      await handle.close();
    }
  };
  let reading = Promise.resolve();
  watchFile(file, { interval: 200 }, () => {
    reading = reading.then(readMore);
  });
  // What was appended between the first read and the watch starting would otherwise wait for the next change.
  reading = reading.then(readMore);
  await interrupted;
  unwatchFile(file);
}
