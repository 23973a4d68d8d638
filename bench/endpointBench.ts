import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DevSession } from '../dist/index.js';
import { measure, row, throughput } from './stats.js';

/** Sync Invoke through the local endpoint with the official SDK client, against the in-process API. */
export async function endpointBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-edge-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await writeFile(join(dir, 'noop.mjs'), 'export const handler = async (event) => ({ ok: true, echo: event.n });\n');
    await writeFile(
      join(dir, 'tributary.config.mjs'),
      `export default ${JSON.stringify({ name: 'bench', functions: { noop: { handler: 'noop.handler' } } })};`,
    );
    const session = await DevSession.start({ appDir: dir, edgePort: 0, watch: false });
    const payload = JSON.stringify({ n: 1 });
    const lambda = new LambdaClient({
      endpoint: session.endpointUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const inProcess = () => session.runtime.invoke({ functionName: 'noop', payload });
    const viaSdk = () => lambda.send(new InvokeCommand({ FunctionName: 'noop', Payload: payload }));
    // The same request with a bare keep-alive HTTP client: separates the endpoint's cost from the SDK's.
    const agent = new Agent({ keepAlive: true });
    const url = new URL(`${session.endpointUrl}/2015-03-31/functions/noop/invocations`);
    const viaHttp = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(url, { method: 'POST', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(payload);
      });

    const n = 5_000;
    const base = await measure(inProcess, n, 500);
    const raw = await measure(viaHttp, n, 500);
    const ours = await measure(viaSdk, n, 500);
    const baseTput = await throughput(inProcess, n, 8);
    const rawTput = await throughput(viaHttp, n, 8);
    const oursTput = await throughput(viaSdk, n, 8);
    lambda.destroy();
    agent.destroy();
    await session.stop();

    console.log('\n## Lambda Invoke through the local endpoint (SDK v3 client, RequestResponse, no-op handler)');
    console.log(row(['', 'invokes/s', 'p50 ms', 'p99 ms', '8-conc/s']));
    console.log(row(['in-process runtime.invoke() (baseline)', base.perSecond, base.p50Ms, base.p99Ms, baseTput]));
    console.log(row(['bare node:http POST -> endpoint', raw.perSecond, raw.p50Ms, raw.p99Ms, rawTput]));
    console.log(row(['@aws-sdk/client-lambda -> endpoint', ours.perSecond, ours.p50Ms, ours.p99Ms, oursTput]));
    console.log(
      `ratio endpoint/in-process: sequential ${(ours.perSecond / base.perSecond).toFixed(3)}, 8 concurrent ${(oursTput / baseTput).toFixed(3)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
