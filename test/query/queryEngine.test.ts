import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseApp } from '../../src/model/defineApp.js';
import { QueryEngine, type RunOptions } from '../../src/query/queryEngine.js';
import { ManualClock } from '../../src/shared/clock.js';
import { cleanup } from '../helpers/cleanup.js';
import { escapeAttempts } from './escapeAttempts.js';
import { queryLake, writeQueryData } from './queryFixture.js';

async function engineWithData(t: import('node:test').TestContext, clock?: ManualClock) {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-query-'));
  cleanup(t, () => rm(dir, { recursive: true, force: true }));
  const s3Root = join(dir, 's3');
  const secret = await writeQueryData(s3Root);
  const lake = parseApp({ name: 'q', lake: queryLake }).lake;
  if (lake === undefined) throw new Error('no lake');
  const engine = await QueryEngine.start({ lake, s3Root, ...(clock === undefined ? {} : { clock }) });
  cleanup(t, () => engine.close());
  return { engine, secret, s3Root };
}

const asAdmin: RunOptions = {
  database: 'hr',
  principal: { name: 'admin', tables: undefined },
  timeoutMs: 30_000,
};

describe('the query engine', () => {
  test('reads tables with their types and partitions; empty tables answer no rows', async (t) => {
    const { engine } = await engineWithData(t);
    const result = await engine.run(
      'SELECT dt, count(*) AS n, sum(amount) AS total FROM hr_events GROUP BY dt ORDER BY dt',
      asAdmin,
    );
    assert.deepEqual(
      result.columns.map((c) => `${c.name}:${c.type}`),
      ['dt:DATE', 'n:BIGINT', 'total:DOUBLE'],
    );
    assert.deepEqual(result.rows, [
      ['2026-12-01', '2', '1.5'],
      ['2026-12-02', '1', '0'],
    ]);
    assert.ok(result.scannedBytes > 0);
    const joined = await engine.run(
      'WITH h AS (SELECT * FROM hr.hr_events) SELECT count(*) FROM h, finance.finance_events f WHERE f.id >= 200',
      asAdmin,
    );
    assert.deepEqual(joined.rows, [['6']]);
    assert.deepEqual((await engine.run('SELECT count(*) FROM empty_events', asAdmin)).rows, [['0']]);
    const explained = await engine.run('EXPLAIN SELECT * FROM hr_events', asAdmin);
    assert.ok(explained.rows.length > 0);
  });

  test(`a security suite: ${escapeAttempts('x').length} escape attempts are all refused`, async (t) => {
    const { engine, secret, s3Root } = await engineWithData(t);
    await symlink(secret, join(s3Root, 'lake', 'departments', 'dept=hr', 'dt=2026-12-01', 'leak.parquet'));
    for (const attempt of escapeAttempts(secret)) {
      await assert.rejects(
        engine.run(attempt.sql, asAdmin),
        (error: unknown) => {
          const type = (error as { aws?: { type?: string } }).aws?.type;
          return type === 'InvalidRequestException' || type === 'AccessDeniedException';
        },
        attempt.why,
      );
    }
    // The symlink planted in hr's prefix is never read: hr's rows are still only its own.
    const rows = await engine.run('SELECT count(*) FROM hr_events', asAdmin);
    assert.deepEqual(rows.rows, [['3']]);
  });

  test('grants: a department reads its own table and is refused another before anything runs', async (t) => {
    const { engine } = await engineWithData(t);
    const hr = { ...asAdmin, principal: { name: 'hr', tables: ['hr.hr_events'] } };
    assert.deepEqual((await engine.run('SELECT count(*) FROM hr_events', hr)).rows, [['3']]);
    for (const sql of [
      'SELECT * FROM finance.finance_events',
      'SELECT * FROM hr_events UNION ALL SELECT * FROM finance.finance_events',
      'SELECT (SELECT max(id) FROM finance.finance_events)',
      'WITH x AS (SELECT * FROM finance.finance_events) SELECT * FROM x',
    ]) {
      await assert.rejects(
        engine.run(sql, hr),
        (e: unknown) => (e as { aws?: { type?: string } }).aws?.type === 'AccessDeniedException',
        sql,
      );
    }
  });

  test('timeouts interrupt a running query; an abort cancels it', async (t) => {
    const clock = new ManualClock();
    const { engine } = await engineWithData(t, clock);
    // Table functions are refused, so the slow query is a cross join of a table with itself: 3^18 rows.
    const aliases = Array.from({ length: 18 }, (_, i) => `t${i}`);
    const slow = `SELECT sum(${aliases.map((a) => `${a}.amount`).join(' + ')}) FROM ${aliases.map((a) => `hr_events ${a}`).join(', ')}`;
    // The timeout is on the injected clock: once the query has armed it, advancing the clock stops the query.
    const timingOut = engine.run(slow, { ...asAdmin, timeoutMs: 60_000 });
    while (clock.pendingTimers === 0) await new Promise((resolve) => setImmediate(resolve));
    clock.advance(60_000);
    await assert.rejects(timingOut, /timeout/i);
    const controller = new AbortController();
    const running = engine.run(slow, { ...asAdmin, signal: controller.signal });
    setImmediate(() => controller.abort());
    await assert.rejects(running, /cancelled/i);
  });
});
