import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DevSession } from '../dist/index.js';
import { aggregatedRequests } from '../dist/runtime/aggregatedRequests.js';
import { row } from './stats.js';
import { hasWrk, type LoadResult, wrk } from './wrk.js';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BRANCH_WAIT_MS = 10;
const BRANCHES = ['a', 'b', 'c', 'd'];

/** The same fan-out as plain async calls in one process: the floor any Aggregator is measured against. */
async function inProcessServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const branch = async (name: string) => {
    await new Promise((resolve) => setTimeout(resolve, BRANCH_WAIT_MS));
    return { branch: name };
  };
  const server = createServer((_req, res) => {
    void Promise.all(BRANCHES.map(branch)).then((values) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries(BRANCHES.map((name, i) => [name, values[i]]))));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/agg`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function load(url: string): Promise<LoadResult> {
  // Long enough for every environment's Init (the L1 imports the AWS SDK) to be over before measuring.
  await wrk(url, { connections: CONNECTIONS, seconds: 6 });
  return wrk(url, { connections: CONNECTIONS, seconds: SECONDS });
}

/**
 * The Aggregator's cost: an L1 (`fanOut` through the Lambda API) with four L2x that each wait 10 ms, behind the
 * HTTP API, against the same fan-out as four in-process async calls behind node:http, both under wrk.
 */
export async function aggregatorBench(): Promise<void> {
  console.log(
    `\n## Aggregator: an L1 with ${BRANCHES.length} L2x that wait ${BRANCH_WAIT_MS} ms each, under wrk, ${CONNECTIONS} connections`,
  );
  if (!(await hasWrk())) {
    console.log('skipped: wrk is not installed (Debian: apt-get install wrk)');
    return;
  }
  const floor = await inProcessServer();
  const baseline = await load(floor.url);
  await floor.close();

  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-agg-'));
  try {
    const helper = pathToFileURL(join(process.cwd(), 'dist', 'aggregate', 'index.js')).href;
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await writeFile(
      join(dir, 'l1.mjs'),
      `import { LambdaClient } from '@aws-sdk/client-lambda';
import { fanOut } from '${helper}';
const lambda = new LambdaClient({});
const branches = Object.fromEntries(${JSON.stringify(BRANCHES)}.map((name) => [name, { function: name }]));
export const handler = async (event, context) => ({ statusCode: 200, body: JSON.stringify((await fanOut(branches, context, { lambda })).values) });`,
    );
    await writeFile(
      join(dir, 'l2.mjs'),
      `export const handler = async () => { await new Promise((resolve) => setTimeout(resolve, ${BRANCH_WAIT_MS})); return { branch: process.env.AWS_LAMBDA_FUNCTION_NAME }; };`,
    );
    await writeFile(
      join(dir, 'tributary.config.mjs'),
      `export default ${JSON.stringify({
        name: 'bench',
        http: { routes: { 'GET /agg': 'l1' } },
        functions: {
          l1: { handler: 'l1.handler', timeout: 10 },
          ...Object.fromEntries(BRANCHES.map((name) => [name, { handler: 'l2.handler' }])),
        },
      })};`,
    );
    // The handlers import the AWS SDK as on AWS (where the runtime ships it): link the repository's packages.
    await symlink(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
    const session = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: 0, wsPort: false, watch: false });
    try {
      const before = session.runtime.records.list().length;
      const ours = await load(`${session.httpUrl}/agg`);
      // One connection: the fan-out's own latency, with the cores not saturated.
      const single = await wrk(`${session.httpUrl}/agg`, { connections: 1, seconds: 5 });
      const floorSingle = await (async () => {
        const again = await inProcessServer();
        try {
          return await wrk(again.url, { connections: 1, seconds: 5 });
        } finally {
          await again.close();
        }
      })();
      const aggregations = aggregatedRequests(session.runtime.records.list().slice(before));
      const waits = aggregations.map((a) => a.entry.durationMs - Math.max(...a.branches.map((b) => b.durationMs)));
      waits.sort((a, b) => a - b);
      console.log(row(['', 'req/s', 'p50 ms', 'p99 ms', 'ratio rps']));
      console.log(
        row(['in-process fan-out (baseline)', baseline.requestsPerSecond, baseline.p50Ms, baseline.p99Ms, 1]),
      );
      console.log(
        row([
          'Tributary: HTTP API -> L1 -> 4 L2x',
          ours.requestsPerSecond,
          ours.p50Ms,
          ours.p99Ms,
          ours.requestsPerSecond / baseline.requestsPerSecond,
        ]),
      );
      console.log(
        row([
          'in-process fan-out, 1 connection',
          floorSingle.requestsPerSecond,
          floorSingle.p50Ms,
          floorSingle.p99Ms,
          1,
        ]),
      );
      console.log(
        row([
          'Tributary, 1 connection',
          single.requestsPerSecond,
          single.p50Ms,
          single.p99Ms,
          single.requestsPerSecond / floorSingle.requestsPerSecond,
        ]),
      );
      console.log(
        `added at the median beyond the in-process fan-out (goal < 1 ms): ${(ours.p50Ms - baseline.p50Ms).toFixed(2)} ms at ${CONNECTIONS} connections, ${(single.p50Ms - floorSingle.p50Ms).toFixed(2)} ms at 1; inside the L1 (fan-out minus its slowest branch) p50 ${(waits[Math.floor(waits.length / 2)] ?? Number.NaN).toFixed(2)} ms over ${aggregations.length} aggregated requests; non-2xx ${ours.non2xx}`,
      );
    } finally {
      await session.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
