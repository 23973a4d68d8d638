import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { eventV2 } from '../dist/gateway/eventV2.js';
import { responseV2 } from '../dist/gateway/responseTranslation.js';
import { DevSession } from '../dist/index.js';
import { row } from './stats.js';
import { hasWrk, type LoadResult, wrk } from './wrk.js';

const HELLO = 'export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ hello: "world" }) });\n';
const CONNECTIONS = 32;
const PEERS = join(dirname(fileURLToPath(import.meta.url)), 'peers');

/** The 2.0 event API Gateway would build for this request to GET /hello (what both baselines hand the handler). */
function helloEvent(req: IncomingMessage, requestId: string): Record<string, unknown> {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    pairs.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
  return eventV2(
    {
      method: req.method ?? 'GET',
      rawPath: req.url ?? '/',
      rawQueryString: '',
      headers: pairs,
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
      requestId,
      receivedAt: Date.now(),
    },
    { routeKey: 'GET /hello', resource: '/hello', pathParameters: undefined, target: { function: 'hello' } },
    { apiId: requestId, stage: '$default' },
  );
}

/** The floor: node:http building the same 2.0 event and calling the same handler in-process, no isolation. */
async function rawServer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { handler } = (await import(join(dir, 'hello.mjs'))) as { handler: (e: unknown) => Promise<unknown> };
  const server = createServer((req, res) => {
    const event = helloEvent(req, 'raw');
    void handler(event).then((result) => {
      const response = responseV2(JSON.stringify(result));
      res.writeHead(response?.status ?? 500, [...(response?.headers ?? []).flat()]);
      res.end(response?.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hello`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The ceiling of per-request isolation here: the same server, but each request's event goes to one of a pool of
 * bare worker threads (one per connection, as Lambda needs one environment per concurrent request), which calls
 * the handler and posts the result back. No records, deadlines, billing or routing: only the thread hop.
 */
async function bareWorkerServer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const source = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ handler }) => {
  parentPort.on('message', async (event) => parentPort.postMessage(JSON.stringify(await handler(JSON.parse(event)))));
  parentPort.postMessage('ready');
});`;
  const idle: { worker: Worker; respond?: (payload: string) => void }[] = [];
  const all: Worker[] = [];
  for (let i = 0; i < CONNECTIONS + 8; i++) {
    const worker = new Worker(source, { eval: true, workerData: { module: join(dir, 'hello.mjs') } });
    all.push(worker);
    const slot: { worker: Worker; respond?: (payload: string) => void } = { worker };
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    worker.on('message', (payload: string) => {
      const respond = slot.respond;
      slot.respond = undefined;
      idle.push(slot);
      respond?.(payload);
    });
    idle.push(slot);
  }
  const server = createServer((req, res) => {
    const event = helloEvent(req, 'bare');
    const slot = idle.pop();
    if (slot === undefined) {
      res.writeHead(503).end();
      return;
    }
    slot.respond = (payload) => {
      const response = responseV2(payload);
      res.writeHead(response?.status ?? 500, [...(response?.headers ?? []).flat()]);
      res.end(response?.body);
    };
    slot.worker.postMessage(JSON.stringify(event));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hello`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

/** serverless-offline 13 (with serverless 3) from bench/peers, installed there on first use. */
async function serverlessOffline(dir: string): Promise<{ url: string; stop: () => void } | undefined> {
  if (!existsSync(join(PEERS, 'node_modules', 'serverless-offline'))) {
    console.log('installing serverless-offline into bench/peers (first run only)…');
    try {
      await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund'], { cwd: PEERS });
    } catch (error) {
      console.log(`could not install serverless-offline: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
  await writeFile(
    join(dir, 'serverless.yml'),
    [
      'service: bench',
      "frameworkVersion: '3'",
      'provider: { name: aws, runtime: nodejs20.x }',
      'plugins: [serverless-offline]',
      'functions:',
      '  hello:',
      '    handler: hello.handler',
      '    events: [{ httpApi: { path: /hello, method: get } }]',
      '',
    ].join('\n'),
  );
  await symlink(join(PEERS, 'node_modules'), join(dir, 'node_modules'));
  const port = 39_000 + Math.floor(Math.random() * 500);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(PEERS, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'offline',
      'start',
      '--httpPort',
      String(port),
      '--lambdaPort',
      String(port + 1),
      '--host',
      '127.0.0.1',
    ],
    { cwd: dir, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' }, stdio: 'pipe' },
  );
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Server ready')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Server ready')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.on('exit', () => resolve(false));
  });
  if (!ready) {
    child.kill('SIGKILL');
    console.log('serverless-offline did not start within 60 s');
    return undefined;
  }
  return { url: `http://127.0.0.1:${port}/hello`, stop: () => child.kill('SIGKILL') };
}

/** Warm up for 2 s, then measure. */
async function load(url: string, seconds: number): Promise<LoadResult> {
  await wrk(url, { connections: CONNECTIONS, seconds: 2 });
  return wrk(url, { connections: CONNECTIONS, seconds });
}

/**
 * The HTTP API gateway under load, in one run against the same hello handler: the in-process floor, Tributary
 * (each request through the gateway into an isolated function environment), and serverless-offline.
 */
export async function gatewayBench(): Promise<void> {
  console.log(`\n## HTTP API: GET /hello under wrk, ${CONNECTIONS} connections`);
  if (!(await hasWrk())) {
    console.log('skipped: wrk is not installed (Debian: apt-get install wrk)');
    return;
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-gateway-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await writeFile(join(dir, 'hello.mjs'), HELLO);
    await writeFile(
      join(dir, 'tributary.config.mjs'),
      `export default ${JSON.stringify({
        name: 'bench',
        // The account's API Gateway quota (10,000 rps) would answer 429s under this load, as on AWS.
        limits: { apiGatewayThrottle: { rateLimit: 1_000_000, burstLimit: 1_000_000 } },
        functions: { hello: { handler: 'hello.handler' } },
        http: { routes: { 'GET /hello': 'hello' } },
      })};`,
    );

    const raw = await rawServer(dir);
    const floor = await load(raw.url, seconds);
    await raw.close();

    const bare = await bareWorkerServer(dir);
    const ceiling = await load(bare.url, seconds);
    await bare.close();

    const session = await DevSession.start({ appDir: dir, edgePort: false, httpPort: 0, watch: false });
    const ours = await load(`${session.httpUrl}/hello`, seconds);
    const environments = session.runtime.records.list({ functionName: 'hello' }).length;
    await session.stop();

    const sls = await serverlessOffline(dir);
    const peer = sls === undefined ? undefined : await load(sls.url, seconds).finally(() => sls.stop());

    console.log(row(['', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx']));
    console.log(
      row([
        'raw node:http, handler in-process (floor)',
        floor.requestsPerSecond,
        floor.p50Ms,
        floor.p99Ms,
        floor.non2xx,
      ]),
    );
    console.log(
      row(['Tributary gateway -> isolated environment', ours.requestsPerSecond, ours.p50Ms, ours.p99Ms, ours.non2xx]),
    );
    if (peer !== undefined)
      console.log(
        row(['serverless-offline 13 (serverless 3)', peer.requestsPerSecond, peer.p50Ms, peer.p99Ms, peer.non2xx]),
      );
    const vsFloor = ours.requestsPerSecond / floor.requestsPerSecond;
    console.log(`Tributary / floor: ${(vsFloor * 100).toFixed(1)}% (goal >= 60%)`);
    console.log(
      `isolation ceiling / floor: ${((ceiling.requestsPerSecond / floor.requestsPerSecond) * 100).toFixed(1)}%; Tributary / ceiling: ${((ours.requestsPerSecond / ceiling.requestsPerSecond) * 100).toFixed(1)}%`,
    );
    if (peer !== undefined)
      console.log(
        `Tributary / serverless-offline: ${(ours.requestsPerSecond / peer.requestsPerSecond).toFixed(1)}x (goal >= 15x)`,
      );
    console.log(`Tributary p99: ${ours.p99Ms.toFixed(2)} ms (goal < 5 ms); invocations recorded: ${environments}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
