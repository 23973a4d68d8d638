/**
 * `npm run demo:concurrency`: the seed's concurrency problem, on the example app. 200 concurrent aggregated
 * requests, each an L1 plus four L2x, against the account's 1,000 concurrent executions (and `shipments`' reserved
 * 50): first served synchronously (the L1 waits), then asynchronously (the L1 queues its branches and answers 202),
 * then aggregated by the client itself (no L1). A progress bar per phase, then a table of what each held and cost.
 * Loopback only, 600 requests in all, stops by itself; its data goes to a temporary folder that is removed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate } from '../dist/client/index.js';
import { DevSession } from '../dist/index.js';
import { formatVariantReport, variantReport } from '../dist/report/variantReport.js';

const WANTED_REQUESTS = Number(process.env.DEMO_REQUESTS ?? 200);
const BRANCHES = ['profile', 'orders', 'invoices', 'shipments'] as const;
const PHASE_TIMEOUT_MS = 180_000;

function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r  ${label.padEnd(22)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

/** Runs `count` requests at once, drawing a progress bar; returns how many ended with each status. */
async function phase(label: string, count: number, one: (i: number) => Promise<string>): Promise<Map<string, number>> {
  const statuses = new Map<string, number>();
  let done = 0;
  progress(label, 0, count);
  const deadline = AbortSignal.timeout(PHASE_TIMEOUT_MS);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      let status: string;
      try {
        status = deadline.aborted ? 'not sent (phase timed out)' : await one(i);
      } catch (error) {
        status = error instanceof Error ? error.message.slice(0, 60) : String(error);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      done += 1;
      progress(label, done, count);
    }),
  );
  return statuses;
}

const dataDir = await mkdtemp(join(tmpdir(), 'tributary-demo-'));
const session = await DevSession.start({
  appDir: 'examples/acme',
  dataDir,
  edgePort: 0,
  httpPort: 0,
  wsPort: false,
  watch: false,
});
try {
  const api = session.httpUrl ?? '';
  const limits = session.app.model.limits;
  const shipmentsCap = session.app.model.functions.shipments?.reservedConcurrency ?? Number.POSITIVE_INFINITY;
  const environmentsFor = (requests: number): number => requests * BRANCHES.length + Math.min(requests, shipmentsCap);
  // AWS starts hundreds of environments at once on its fleet; two cores cannot start 850 inside a 10 s timeout.
  // So the environments start first, as provisioned concurrency would, and the phases measure the platform. One
  // process holds as many as Linux's vm.max_map_count lets it map: warming stops there and the demo scales to fit.
  const warm = Date.now();
  const total = environmentsFor(WANTED_REQUESTS);
  progress('warming environments', 0, total);
  let ready = await session.runtime.prewarm('shipments', Math.min(WANTED_REQUESTS, shipmentsCap));
  let requests = 0;
  warming: while (requests < WANTED_REQUESTS) {
    const next = Math.min(WANTED_REQUESTS, requests + 10);
    for (const fn of ['overview', 'profile', 'orders', 'invoices']) {
      const size = await session.runtime.prewarm(fn, next);
      ready += size - requests;
      progress('warming environments', Math.min(ready, total), total);
      if (size < next) break warming;
    }
    requests = next;
  }
  if (ready < total) process.stderr.write('\n');
  console.log(`  (${ready} environments initialised in ${((Date.now() - warm) / 1000).toFixed(1)} s)`);
  if (requests < WANTED_REQUESTS)
    console.log(
      `  This process has room for about ${ready} execution environments (Linux vm.max_map_count); ${WANTED_REQUESTS} requests need ${total}, so the demo runs ${requests}.`,
    );
  console.log(
    `\nacme: ${requests} concurrent aggregated requests, each an L1 + ${BRANCHES.length} L2x, against an account limit of ${limits.accountConcurrency} (shipments reserves ${shipmentsCap})\n`,
  );
  const results: [string, Map<string, number>, number, number][] = [];
  const run = async (label: string, one: (i: number) => Promise<string>, settle?: () => Promise<void>) => {
    const from = session.runtime.records.list().length;
    const statuses = await phase(label, requests, one);
    await settle?.();
    results.push([label, statuses, from, session.runtime.records.list().length]);
  };
  const httpStatus = async (url: string): Promise<string> => {
    const response = await fetch(url);
    await response.arrayBuffer();
    return `HTTP ${response.status}`;
  };

  // The async branches run after the 202s: wait until all of them settled before going on.
  // Async invocations run after their 202s: each phase waits until its own have settled before the next starts.
  const settled = new Map<string, number>();
  session.runtime.asyncInvoker.events.on('settled', (event) => {
    settled.set(event.functionName, (settled.get(event.functionName) ?? 0) + 1);
  });
  const settledOf = (names: readonly string[]) => names.reduce((sum, name) => sum + (settled.get(name) ?? 0), 0);
  const untilSettled = (names: readonly string[], expected: number) => async () => {
    const until = Date.now() + PHASE_TIMEOUT_MS;
    while (settledOf(names) < expected && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  // Served synchronously, each overview also queues an audit event (write-only work).
  await run(
    'sync (L1 waits)',
    (i) => httpStatus(`${api}/customers/c-${i}/overview`),
    untilSettled(['audit'], requests),
  );
  await run(
    'async (L1 queues, 202)',
    (i) => httpStatus(`${api}/customers/c-${i}/overview?mode=async`),
    untilSettled(BRANCHES, requests * BRANCHES.length),
  );

  await run('client-side', async (i) => {
    const calls = Object.fromEntries(
      BRANCHES.map((branch) => [branch, { url: `${api}/customers/c-${i}/${branch}`, required: false }]),
    );
    const result = await aggregate(calls, { retries: 4, timeoutMs: 10_000 });
    return result.complete ? 'complete' : 'partial (a call failed after its retries)';
  });

  console.log('\nAnswers per phase:');
  for (const [label, statuses] of results)
    console.log(`  ${label.padEnd(24)} ${[...statuses].map(([status, n]) => `${status} x${n}`).join(', ')}`);
  const records = session.runtime.records.list();
  const rows = results.flatMap(([, , from, to]) => variantReport(records.slice(from, to)));
  console.log(`\n${formatVariantReport(rows)}`);
  console.log(`
What it shows: served synchronously, each request holds ${1 + BRANCHES.length} environments (the L1 waits, billed, while its
branches run), so ${requests} requests need up to ${requests * (1 + BRANCHES.length)} at once; the branch with reserved concurrency
(shipments, 50) throttles first. Asynchronously, the L1s finish at once and the branches queue (Lambda retries the
throttled ones). Client-side, no L1 is billed while the client waits, and the client retries throttled calls itself.
The same records: npx tributary report --app examples/acme (after npm start and some traffic).`);
} finally {
  await session.stop();
  await rm(dataDir, { recursive: true, force: true });
}
