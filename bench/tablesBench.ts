import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DevSession } from '../dist/index.js';
import { percentile, row, throughput } from './stats.js';

const PUTS = Number(process.env.BENCH_TABLE_PUTS ?? 20_000);
const CONCURRENCY = 32;
const LATENCY_SAMPLES = 300;
const credentials = { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' };

const item = (i: number) => ({
  pk: { S: `customer-${i % 1000}` },
  sk: { S: `order-${i}` },
  total: { N: String(i * 1.5) },
  status: { S: 'placed' },
  note: { S: 'a typical small order item of about a hundred bytes' },
});

/** dynalite on its own HTTP server: the same engine as users run it standalone, without change capture. */
async function standaloneDynalite(dir: string): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const require = createRequire(import.meta.url);
  const dynalite = require('dynalite') as (options: object) => Server;
  const server = dynalite({ path: join(dir, 'standalone'), createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function putThroughput(endpoint: string, createTable: boolean): Promise<number> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    if (createTable)
      await client.send(
        new CreateTableCommand({
          TableName: 'orders',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    // A new table is CREATING for a moment; writes to it would be refused until it is ACTIVE.
    while ((await client.send(new DescribeTableCommand({ TableName: 'orders' }))).Table?.TableStatus !== 'ACTIVE')
      await new Promise((resolve) => setImmediate(resolve));
    let i = 0;
    const once = () => client.send(new PutItemCommand({ TableName: 'orders', Item: item(i++) }));
    await throughput(once, 1_000, CONCURRENCY);
    return await throughput(once, PUTS, CONCURRENCY);
  } finally {
    client.destroy();
  }
}

/**
 * Tables: PutItem throughput through `@aws-sdk/client-dynamodb` (32 in flight) against dynalite standalone, and the
 * latency from a write to its stream's function starting (one write at a time) against the PutItem round trip.
 */
export async function tablesBench(): Promise<void> {
  console.log(
    `\n## Tables: PutItem x ${PUTS.toLocaleString('en')} via the SDK, ${CONCURRENCY} in flight; stream -> function latency`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-tables-'));
  const channel = new BroadcastChannel('tributary-bench-stream');
  try {
    const standalone = await standaloneDynalite(dir);
    const baseline = await putThroughput(standalone.endpoint, true);
    await standalone.close();

    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    // The handler reports when it started, on a channel every thread of the process shares.
    await writeFile(
      join(dir, 'sink.mjs'),
      `import { BroadcastChannel } from 'node:worker_threads';
const channel = new BroadcastChannel('tributary-bench-stream');
export const handler = async (event) => {
  const startedAt = performance.timeOrigin + performance.now();
  for (const r of event.Records) channel.postMessage({ id: r.dynamodb.Keys.sk.S, startedAt });
};`,
    );
    await writeFile(
      join(dir, 'tributary.config.mjs'),
      `export default ${JSON.stringify({
        name: 'bench',
        tables: {
          orders: { partitionKey: { name: 'pk' }, sortKey: { name: 'sk' }, stream: 'NEW_AND_OLD_IMAGES' },
          latency: { partitionKey: { name: 'pk' }, sortKey: { name: 'sk' }, stream: 'NEW_IMAGE' },
        },
        functions: {
          sink: { handler: 'sink.handler', events: [{ stream: 'latency', startingPosition: 'LATEST' }] },
        },
      })};`,
    );
    const session = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: false, watch: false });
    try {
      const endpoint = session.endpointUrl ?? '';
      const ours = await putThroughput(endpoint, false);
      console.log(row(['', 'PutItem/s', 'ratio', '', '']));
      console.log(row(['dynalite standalone (baseline)', baseline, 1, '', '']));
      console.log(row(['Tributary (stream on: change capture)', ours, ours / baseline, '', '']));

      const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
      const started = new Map<string, (at: number) => void>();
      channel.onmessage = (message) => {
        const { id, startedAt } = (message as { data: { id: string; startedAt: number } }).data;
        started.get(id)?.(startedAt);
      };
      const roundTrips: number[] = [];
      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES + 20; i += 1) {
        const id = `order-${i}`;
        const handlerStarted = new Promise<number>((resolve) => started.set(id, resolve));
        const t0 = performance.timeOrigin + performance.now();
        await client.send(new PutItemCommand({ TableName: 'latency', Item: { ...item(i), sk: { S: id } } }));
        const acked = performance.timeOrigin + performance.now();
        const at = await handlerStarted;
        started.delete(id);
        if (i < 20) continue; // warm-up: the first batch is a cold start
        roundTrips.push(acked - t0);
        latencies.push(at - t0);
      }
      client.destroy();
      roundTrips.sort((a, b) => a - b);
      latencies.sort((a, b) => a - b);
      console.log(row(['', 'p50 ms', 'p99 ms', '', '']));
      console.log(
        row(['PutItem round trip (baseline)', percentile(roundTrips, 50), percentile(roundTrips, 99), '', '']),
      );
      console.log(row(['write -> stream handler start', percentile(latencies, 50), percentile(latencies, 99), '', '']));
      console.log(
        `(AWS polls each shard about 4 times a second: a stream handler typically starts hundreds of ms after the write.)`,
      );
    } finally {
      await session.stop();
    }
  } finally {
    channel.close();
    await rm(dir, { recursive: true, force: true });
  }
}
