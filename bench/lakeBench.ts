import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { DuckDBInstance } from '@duckdb/node-api';
import { DevSession } from '../dist/index.js';
import { scratchDir } from '../dist/lake/scratchDir.js';
import { ParquetConverter } from '../dist/lake/streams/parquetConverter.js';
import { row } from './stats.js';

const RECORDS = Number(process.env.BENCH_LAKE_RECORDS ?? 1_000_000);
const CLIENTS = 4;
const BATCH = 500;
const NDJSON_BODY_RECORDS = 10_000;
const DEPTS = ['hr', 'finance', 'logistics'];

const table = {
  database: 'default',
  bucket: 'lake',
  prefix: 'events/',
  format: 'parquet' as const,
  columns: { id: 'bigint', dept: 'string', amount: 'double', ok: 'boolean', at: 'timestamp', note: 'string' },
  partitionKeys: {},
};

/** The same generated records for every path: ~130 bytes of JSON each. */
function generate(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(
      JSON.stringify({
        id: i,
        dept: DEPTS[i % 3],
        amount: i * 1.25,
        ok: i % 2 === 0,
        at: new Date(1_767_225_600_000 + i * 1000).toISOString(),
        note: `record number ${i}`,
      }),
    ),
  );
}

/** Peak RSS while `work` runs, sampled every 50 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await work();
    return { result, peakMb: peak / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}

function postNdjson(url: URL, body: Buffer, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The lake's ingest: 1M generated records acknowledged durably through PutRecordBatch (the SDK client, 500-record
 * batches, 4 concurrent clients) and through an NDJSON HTTP route; then the conversion of the buffered records to
 * Parquet against DuckDB's own NDJSON-to-Parquet conversion of the same data, in the same run.
 */
export async function lakeBench(): Promise<void> {
  console.log(`\n## Lake ingest: ${RECORDS.toLocaleString('en')} records (~130 B of JSON each)`);
  const records = generate(RECORDS);
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-lake-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    const quota = { recordsPerSecond: 100_000_000, requestsPerSecond: 1_000_000, bytesPerSecond: 10_000_000_000 };
    await writeFile(
      join(dir, 'tributary.config.mjs'),
      `export default ${JSON.stringify({
        name: 'bench',
        functions: {},
        http: { routes: { 'POST /ingest': { stream: 'events' } } },
        lake: {
          buckets: ['lake'],
          tables: { events: table },
          streams: {
            events: {
              bucket: 'lake',
              prefix: 'events/',
              format: 'parquet',
              table: 'events',
              compression: 'zstd',
              buffering: { sizeInMBs: 64, intervalInSeconds: 60 },
              quota,
            },
          },
        },
      })};`,
    );
    const session = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: 0, watch: false });
    const firehose = new FirehoseClient({
      endpoint: session.endpointUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      maxAttempts: 1,
    });

    // PutRecordBatch through the SDK.
    let next = 0;
    let failed = 0;
    const viaSdk = await withPeakRss(async () => {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < RECORDS) {
            const batch = records.slice(next, next + BATCH);
            next += BATCH;
            const reply = await firehose.send(
              new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: batch.map((Data) => ({ Data })) }),
            );
            failed += reply.FailedPutCount ?? 0;
          }
        }),
      );
      return performance.now() - t0;
    });
    firehose.destroy();

    // The NDJSON route.
    const url = new URL(`${session.httpUrl}/ingest`);
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const bodies: Buffer[] = [];
    for (let i = 0; i < RECORDS; i += NDJSON_BODY_RECORDS)
      bodies.push(Buffer.concat(records.slice(i, i + NDJSON_BODY_RECORDS).flatMap((r) => [r, Buffer.from('\n')])));
    let nextBody = 0;
    let refused = 0;
    const viaRoute = await withPeakRss(async () => {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (nextBody < bodies.length) {
            const body = bodies[nextBody++];
            if (body !== undefined && (await postNdjson(url, body, agent)) !== 200) refused += 1;
          }
        }),
      );
      return performance.now() - t0;
    });
    agent.destroy();
    await session.stop();

    // Conversion: DuckDB's own NDJSON -> Parquet (baseline) against the stream's converter, same records.
    const ndjsonFile = join(dir, 'records.ndjson');
    await writeFile(ndjsonFile, Buffer.concat(records.flatMap((r) => [r, Buffer.from('\n')])));
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const t0 = performance.now();
    await connection.run(
      `COPY (SELECT * FROM read_json('${ndjsonFile}', format = 'newline_delimited', columns = {id: 'BIGINT', dept: 'VARCHAR', amount: 'DOUBLE', ok: 'BOOLEAN', "at": 'TIMESTAMP', note: 'VARCHAR'})) TO '${join(dir, 'baseline.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    const baselineMs = performance.now() - t0;
    const converter = new ParquetConverter(connection, scratchDir(join(dir, 'tmp'), 'bench'));
    // The buffer as PutRecordBatch fills it: each batch of 500 single-line records is one NDJSON block, decoded
    // into place at ingest (so the copy is paid in the ingest figures above, not here).
    const items: { data: Buffer; count: number }[] = [];
    for (let i = 0; i < RECORDS; i += BATCH) {
      const batch = records.slice(i, i + BATCH);
      items.push({ data: Buffer.concat(batch.flatMap((r) => [r, Buffer.from('\n')])), count: batch.length });
    }
    const t1 = performance.now();
    const conversion = await converter.convert(items, table, 'zstd');
    const oursMs = performance.now() - t1;
    await converter.dispose();
    connection.closeSync();
    duck.closeSync();

    const perSecond = (ms: number): number => (RECORDS / ms) * 1000;
    console.log(row(['', 'records/s', 'seconds', 'peak RSS MB', 'failed']));
    console.log(
      row([
        'PutRecordBatch, SDK v3, 4 clients x 500',
        perSecond(viaSdk.result),
        viaSdk.result / 1000,
        viaSdk.peakMb,
        failed,
      ]),
    );
    console.log(
      row([
        `NDJSON route, ${NDJSON_BODY_RECORDS} records/body, 4 clients`,
        perSecond(viaRoute.result),
        viaRoute.result / 1000,
        viaRoute.peakMb,
        refused,
      ]),
    );
    console.log(
      `goals: PutRecordBatch >= 150,000 records/s; NDJSON route >= 500,000 records/s (acknowledged after fsync)`,
    );
    console.log(row(['', 'ms', 'records/s', 'parquet MB', '']));
    console.log(row(["DuckDB's NDJSON -> Parquet (baseline)", baselineMs, perSecond(baselineMs), 0, '']));
    console.log(
      row([
        'Tributary converter (buffer -> Parquet)',
        oursMs,
        perSecond(oursMs),
        (conversion.parquet?.length ?? 0) / 1048576,
        '',
      ]),
    );
    console.log(
      `conversion / baseline: ${(oursMs / baselineMs).toFixed(2)}x (goal <= 2x); failed records: ${conversion.failed.length}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
