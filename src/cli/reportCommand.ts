import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveDataDir } from '../dev/devSession.js';
import { formatVariantReport, variantReport } from '../report/variantReport.js';
import { parseRecords, RECORDS_FILE } from '../runtime/recordFile.js';

export interface ReportCommandOptions {
  readonly app: string;
  readonly dataDir?: string;
  /** Only invocations that started at or after this time (epoch ms). */
  readonly since?: number;
}

/**
 * `tributary report`: the aggregated requests in the app's invocation records, compared by how they were served
 * — an L1 that waited (sync), an L1 that queued its branches (async), or the client calling the routes itself —
 * with latency, peak concurrency, throttles, retries, the L1s' billed waiting time and the cost per request.
 */
export async function reportCommand(options: ReportCommandOptions): Promise<number> {
  const file = join(resolveDataDir(options.app, options.dataDir), RECORDS_FILE);
  const records = existsSync(file) ? parseRecords(await readFile(file, 'utf8')) : [];
  const since = options.since;
  const rows = variantReport(since === undefined ? records : records.filter((r) => r.startTime >= since));
  if (rows.length === 0) {
    console.log(
      'No aggregated requests in the records yet: call an Aggregator route, or run npm run demo:concurrency.',
    );
    return 0;
  }
  console.log(formatVariantReport(rows));
  console.log(
    '\nsync: an L1 invoked its branches and waited; async: an L1 queued them (Event) and answered; client-side: calls sharing one X-Amzn-Trace-Id root (tributary/client).',
  );
  return 0;
}
