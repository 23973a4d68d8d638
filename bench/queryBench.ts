import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DuckDBInstance } from '@duckdb/node-api';
import { DevSession } from '../dist/index.js';
import { percentile, row } from './stats.js';

const ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 1_000_000);
const SMALL_RUNS = 50;
const LARGE_RUNS = 10;
const SMALL = 'SELECT id, dept, amount FROM events WHERE id = 4242';
const LARGE =
  'SELECT dept, count(*) AS n, sum(amount) AS total, avg(amount) AS mean FROM events GROUP BY dept ORDER BY dept';

/** Start -> SUCCEEDED (polling GetQueryExecution) and -> first page of results, through the SDK. */
async function throughAthena(athena: AthenaClient, sql: string): Promise<{ succeededMs: number; firstPageMs: number }> {
  const t0 = performance.now();
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql }));
  for (;;) {
    // A brisk client polls every millisecond (Athena's SDK examples poll every second or so).
    await new Promise((resolve) => setTimeout(resolve, 1));
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') throw new Error(QueryExecution?.Status?.StateChangeReason);
  }
  const succeededMs = performance.now() - t0;
  await athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
  return { succeededMs, firstPageMs: performance.now() - t0 };
}

const median = (samples: number[]): number =>
  percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );

/**
 * The lake's query service against raw DuckDB on the same Parquet files, in one run: a small point query and a
 * GROUP BY over 1M rows, each timed from StartQueryExecution to SUCCEEDED and to the first page of results.
 */
export async function queryBench(): Promise<void> {
  console.log(`\n## Lake query: Athena API (SDK v3) vs raw DuckDB, ${ROWS.toLocaleString('en')} rows of Parquet`);
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-query-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await writeFile(
      join(dir, 'tributary.config.mjs'),
      `export default ${JSON.stringify({
        name: 'bench',
        lake: {
          buckets: ['lake'],
          tables: {
            events: {
              bucket: 'lake',
              prefix: 'events/',
              columns: { id: 'bigint', dept: 'string', amount: 'double' },
            },
          },
        },
      })};`,
    );
    const files = join(dir, '.tributary', 's3', 'lake', 'events');
    await mkdir(files, { recursive: true });
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    for (let part = 0; part < 4; part++) {
      const start = (ROWS / 4) * part;
      await connection.run(
        `COPY (SELECT (${start} + i)::BIGINT AS id, ['hr','finance','logistics'][(i % 3) + 1] AS dept, (i * 0.5)::DOUBLE AS amount FROM range(${ROWS / 4}) t(i)) TO '${join(files, `part-${part}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`,
      );
    }
    const glob = `'${join(files, '*.parquet')}'`;
    const raw = async (sql: string): Promise<number> => {
      const t0 = performance.now();
      const c = await duck.connect();
      await c.runAndReadAll(sql.replace('FROM events', `FROM read_parquet(${glob})`));
      c.closeSync();
      return performance.now() - t0;
    };

    const session = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: false, wsPort: false, watch: false });
    const athena = new AthenaClient({
      endpoint: session.endpointUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const measure = async (sql: string, runs: number) => {
      await raw(sql);
      await throughAthena(athena, sql);
      const base: number[] = [];
      const succeeded: number[] = [];
      const firstPage: number[] = [];
      for (let i = 0; i < runs; i++) {
        base.push(await raw(sql));
        const ours = await throughAthena(athena, sql);
        succeeded.push(ours.succeededMs);
        firstPage.push(ours.firstPageMs);
      }
      return { base: median(base), succeeded: median(succeeded), firstPage: median(firstPage) };
    };
    const small = await measure(SMALL, SMALL_RUNS);
    const large = await measure(LARGE, LARGE_RUNS);
    athena.destroy();
    await session.stop();
    connection.closeSync();
    duck.closeSync();

    console.log(row(['median ms', 'raw DuckDB', 'to SUCCEEDED', 'to 1st page', 'overhead']));
    console.log(
      row([
        `small (point query), ${SMALL_RUNS} runs`,
        small.base,
        small.succeeded,
        small.firstPage,
        `${(small.firstPage - small.base).toFixed(1)} ms`,
      ]),
    );
    console.log(
      row([
        `GROUP BY over ${ROWS.toLocaleString('en')} rows, ${LARGE_RUNS} runs`,
        large.base,
        large.succeeded,
        large.firstPage,
        `${(((large.firstPage - large.base) / large.base) * 100).toFixed(1)}%`,
      ]),
    );
    console.log(
      'goals: small query under 20 ms to results at the median (Athena takes seconds); large query overhead at most 10%',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
