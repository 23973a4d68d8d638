import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/runCli.js';
import { configFile, tempApp } from '../helpers/tempApp.js';
import { escapeAttempts } from './escapeAttempts.js';
import { queryAccess, queryLake, writeQueryData } from './queryFixture.js';

test('tributary query: formats, grants per --principal, and every escape attempt refused', {
  timeout: 120_000,
}, async (t) => {
  const dir = await tempApp(t, {
    'package.json': '{"type":"module"}',
    'tributary.config.ts': configFile({ name: 'query-cli', lake: queryLake, access: queryAccess }),
  });
  const secret = await writeQueryData(join(dir, '.tributary', 's3'));
  // Long statements go through standard input (`query -`): a command line holds at most 128 KB per argument.
  const query = (sql: string, ...extra: string[]) =>
    sql.length > 10_000
      ? runCli(['query', '-', '--app', dir, ...extra], sql)
      : runCli(['query', sql, '--app', dir, ...extra]);

  const table = await query('SELECT dt, count(*) AS n FROM hr.hr_events GROUP BY dt ORDER BY dt');
  assert.equal(table.code, 0, table.stderr);
  assert.deepEqual(table.stdout.trim().split('\n'), [
    'dt          n',
    '----------  -',
    '2026-12-01  2',
    '2026-12-02  1',
  ]);
  assert.match(table.stderr, /2 rows, \d+ bytes scanned/);
  const csv = await query('SELECT id FROM hr.hr_events ORDER BY id LIMIT 2', '--format', 'csv');
  assert.equal(csv.stdout, '"id"\n"0"\n"1"\n');
  const json = await query('SELECT id, type FROM hr.hr_events ORDER BY id LIMIT 1', '--format', 'json');
  assert.deepEqual(JSON.parse(json.stdout), [{ id: '0', type: 'hr-0' }]);

  const own = await query('SELECT count(*) FROM hr.hr_events', '--principal', 'hr');
  assert.equal(own.code, 0, own.stderr);
  const other = await query('SELECT count(*) FROM finance.finance_events', '--principal', 'hr');
  assert.equal(other.code, 1);
  assert.match(other.stderr, /hr is not allowed to read finance\.finance_events/);
  assert.equal(other.stdout, '');
  const nobody = await query('SELECT 1', '--principal', 'ghost');
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /No principal named ghost/);

  const attempts = escapeAttempts(secret);
  for (let i = 0; i < attempts.length; i += 6) {
    const batch = attempts.slice(i, i + 6);
    const runs = await Promise.all(batch.map((a) => query(a.sql, '--principal', 'hr')));
    runs.forEach((run, j) => {
      assert.equal(run.code, 1, `${batch[j]?.why}: ${run.stdout}`);
      assert.equal(run.stdout, '', batch[j]?.why);
    });
  }
});
