import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
// The published build: environments run the compiled worker, as users get it.
import { FunctionRuntime, loadApp } from '../dist/index.js';
import { measure, percentile, row, throughput } from './stats.js';

const NOOP = 'export const handler = async (event) => ({ ok: true, echo: event.n });\n';

/** The floor of any thread-isolated design: a bare worker that parses the event and posts a reply. */
function bareWorker(): { roundTrip: (payload: string) => Promise<unknown>; stop: () => Promise<number> } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => { const e = JSON.parse(m.payload);
       Promise.resolve({ ok: true, echo: e.n }).then((r) => parentPort.postMessage({ id: m.id, payload: JSON.stringify(r) })); });`,
    { eval: true },
  );
  let id = 0;
  const pending = new Map<number, (reply: unknown) => void>();
  worker.on('message', (reply: { id: number }) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  return {
    roundTrip: (payload) =>
      new Promise((resolve) => {
        id += 1;
        pending.set(id, resolve);
        worker.postMessage({ id, payload });
      }),
    stop: () => worker.terminate(),
  };
}

/**
 * Warm-invoke overhead of the runtime against a direct in-process call of the same handler, and the
 * cold-start time of a new execution environment.
 */
export async function runtimeBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await writeFile(join(dir, 'noop.mjs'), NOOP);
    await writeFile(
      join(dir, 'tributary.config.mjs'),
      `export default ${JSON.stringify({ name: 'bench', functions: { noop: { handler: 'noop.handler' } } })};`,
    );
    const app = await loadApp(dir, { buildDir: join(dir, '.tributary', 'build') });
    const payload = JSON.stringify({ n: 1 });

    // Baseline: the same handler called in-process, with the same JSON in and out.
    const module = (await import(pathToFileURL(join(dir, 'noop.mjs')).href)) as {
      handler: (e: unknown) => Promise<unknown>;
    };
    const direct = () => module.handler(JSON.parse(payload)).then((r) => JSON.stringify(r));

    const runtime = new FunctionRuntime({ app, dataDir: join(dir, '.tributary'), persistRecords: false });
    const viaRuntime = () => runtime.invoke({ functionName: 'noop', payload });

    const floorWorker = bareWorker();
    const viaBareWorker = () => floorWorker.roundTrip(payload);

    const n = 20_000;
    const base = await measure(direct, n, 2_000);
    const floor = await measure(viaBareWorker, n, 2_000);
    const ours = await measure(viaRuntime, n, 2_000);
    const baseTput = await throughput(direct, n, 16);
    const floorTput = await throughput(viaBareWorker, n, 16);
    const oursTput = await throughput(viaRuntime, n, 16);
    await runtime.dispose();
    await floorWorker.stop();

    console.log('\n## Function runtime: warm invoke of a no-op handler (sequential, then 16 concurrent)');
    console.log(row(['', 'invokes/s', 'p50 ms', 'p99 ms', '16-conc/s']));
    console.log(row(['direct in-process call (baseline)', base.perSecond, base.p50Ms, base.p99Ms, baseTput]));
    console.log(
      row(['bare worker round trip (floor of isolation)', floor.perSecond, floor.p50Ms, floor.p99Ms, floorTput]),
    );
    console.log(row(['Tributary runtime (worker environment)', ours.perSecond, ours.p50Ms, ours.p99Ms, oursTput]));
    const overheadUs = (ours.p50Ms - base.p50Ms) * 1000;
    const hopUs = (floor.p50Ms - base.p50Ms) * 1000;
    const verdict = overheadUs < 100 ? 'MET' : 'NOT MET';
    console.log(
      `warm-invoke overhead at p50: ${overheadUs.toFixed(1)} µs vs the direct call (goal < 100 µs) — ${verdict}`,
    );
    console.log(
      `  the bare thread hop alone: ${hopUs.toFixed(1)} µs; Tributary's pipeline adds ${(overheadUs - hopUs).toFixed(1)} µs`,
    );
    console.log(
      `throughput ratio runtime/direct: sequential ${(ours.perSecond / base.perSecond).toFixed(3)}, 16 concurrent ${(oursTput / baseTput).toFixed(3)}`,
    );

    // Cold starts: a new environment each time (a fresh runtime; the handler is already compiled on disk).
    const cold: number[] = [];
    const firstInvoke: number[] = [];
    for (let i = 0; i < 30; i++) {
      const fresh = new FunctionRuntime({ app, dataDir: join(dir, '.tributary'), persistRecords: false });
      const t0 = performance.now();
      const result = await fresh.invoke({ functionName: 'noop', payload });
      firstInvoke.push(performance.now() - t0);
      cold.push(result.record?.initDurationMs ?? Number.NaN);
      await fresh.dispose();
    }
    cold.sort((a, b) => a - b);
    firstInvoke.sort((a, b) => a - b);
    console.log('\n## Cold start (new worker-thread environment; 30 samples)');
    console.log(row(['', 'p50 ms', 'p99 ms']));
    console.log(row(['Init Duration (thread start + module load)', percentile(cold, 50), percentile(cold, 99)]));
    console.log(row(['first invoke, end to end', percentile(firstInvoke, 50), percentile(firstInvoke, 99)]));
    console.log(
      `cold start p50: ${percentile(cold, 50).toFixed(1)} ms (goal < 50 ms) — ${percentile(cold, 50) < 50 ? 'MET' : 'NOT MET'}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
