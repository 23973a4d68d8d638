import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  InvalidRequestException,
  ListQueryExecutionsCommand,
  ListWorkGroupsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DevSession } from '../../src/dev/devSession.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp } from '../helpers/devApp.js';
import { escapeAttempts } from './escapeAttempts.js';
import { queryAccess, queryLake, writeQueryData } from './queryFixture.js';

/** IAM's refusal has no model class in the Athena client: it arrives as a service exception by name. */
const AccessDeniedException = (error: unknown): boolean => (error as Error).name === 'AccessDeniedException';

const KEYS = { hr: 'AKIAHRDEPARTMENT01', finance: 'AKIAFINANCEDEPT001', admin: 'AKIAADMINISTRATOR1' };

/** A cross join of hr_events with itself: 3^n rows, slow enough to watch RUNNING, QUEUED and CANCELLED. */
const crossJoin = (n: number, select = 'count(*)'): string =>
  `SELECT ${select} FROM ${Array.from({ length: n }, (_, i) => `hr.hr_events t${i}`).join(', ')}`;

async function startAthena(t: import('node:test').TestContext) {
  const lake = {
    ...queryLake,
    workgroups: {
      primary: { outputLocation: 's3://results/athena/' },
      narrow: { outputLocation: 's3://results/narrow/', maxConcurrentQueries: 1, maxQueuedQueries: 1 },
    },
  };
  const { session, dir, endpoint } = await startDevApp(t, {
    functions: {},
    files: {},
    config: { lake, access: queryAccess },
  });
  const secret = await writeQueryData(join(dir, '.tributary', 's3'));
  const client = (key: string) => {
    const athena = new AthenaClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: key, secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    cleanup(t, () => athena.destroy());
    return athena;
  };
  return { session, endpoint, secret, admin: client(KEYS.admin), hr: client(KEYS.hr), client };
}

async function settled(session: DevSession, id: string | undefined) {
  return session.queries?.settled(id ?? '');
}

describe('Athena API (@aws-sdk/client-athena) over the lake', () => {
  test('start, states, statistics, paged results with a header row, CSV output, idempotent tokens', async (t) => {
    const { session, admin, endpoint } = await startAthena(t);
    const started = await admin.send(
      new StartQueryExecutionCommand({
        QueryString: crossJoin(7, 't0.id AS id, t1.type AS type'),
        QueryExecutionContext: { Database: 'hr' },
        ClientRequestToken: 'token-0123456789-0123456789-0123',
      }),
    );
    const again = await admin.send(
      new StartQueryExecutionCommand({
        QueryString: crossJoin(7, 't0.id AS id, t1.type AS type'),
        QueryExecutionContext: { Database: 'hr' },
        ClientRequestToken: 'token-0123456789-0123456789-0123',
      }),
    );
    assert.equal(again.QueryExecutionId, started.QueryExecutionId, 'the same token is the same query');
    await settled(session, started.QueryExecutionId);
    const execution = (await admin.send(new GetQueryExecutionCommand({ QueryExecutionId: started.QueryExecutionId })))
      .QueryExecution;
    assert.equal(execution?.Status?.State, 'SUCCEEDED');
    assert.ok((execution?.Statistics?.DataScannedInBytes ?? 0) > 0);
    assert.ok(execution?.Status?.SubmissionDateTime instanceof Date);
    assert.equal(execution?.ResultConfiguration?.OutputLocation, `s3://results/athena/${started.QueryExecutionId}.csv`);

    // 3^7 = 2,187 rows: pages of 1,000 rows, the header row first on the first page.
    const first = await admin.send(new GetQueryResultsCommand({ QueryExecutionId: started.QueryExecutionId }));
    assert.equal(first.ResultSet?.Rows?.length, 1000);
    assert.deepEqual(
      first.ResultSet?.Rows?.[0]?.Data?.map((d) => d.VarCharValue),
      ['id', 'type'],
    );
    assert.deepEqual(
      first.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Type),
      ['bigint', 'varchar'],
    );
    let rows = (first.ResultSet?.Rows?.length ?? 0) - 1;
    let token = first.NextToken;
    while (token !== undefined) {
      const page = await admin.send(
        new GetQueryResultsCommand({ QueryExecutionId: started.QueryExecutionId, NextToken: token }),
      );
      rows += page.ResultSet?.Rows?.length ?? 0;
      token = page.NextToken;
    }
    assert.equal(rows, 2187);
    const small = await admin.send(
      new GetQueryResultsCommand({ QueryExecutionId: started.QueryExecutionId, MaxResults: 10 }),
    );
    assert.equal(small.ResultSet?.Rows?.length, 10);
    await assert.rejects(
      admin.send(new GetQueryResultsCommand({ QueryExecutionId: started.QueryExecutionId, MaxResults: 1001 })),
      InvalidRequestException,
    );

    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: KEYS.admin, secretAccessKey: 'x' },
      forcePathStyle: true,
    });
    cleanup(t, () => s3.destroy());
    const csv = await (
      await s3.send(new GetObjectCommand({ Bucket: 'results', Key: `athena/${started.QueryExecutionId}.csv` }))
    ).Body?.transformToString();
    assert.equal(csv?.split('\n')[0], '"id","type"');
    assert.equal(csv?.trim().split('\n').length, 2188);

    const listed = await admin.send(new ListQueryExecutionsCommand({}));
    assert.ok(listed.QueryExecutionIds?.includes(started.QueryExecutionId ?? ''));
    const groups = await admin.send(new ListWorkGroupsCommand({}));
    assert.deepEqual(groups.WorkGroups?.map((w) => w.Name).sort(), ['narrow', 'primary']);
    const narrow = await admin.send(new GetWorkGroupCommand({ WorkGroup: 'narrow' }));
    assert.equal(narrow.WorkGroup?.Configuration?.ResultConfiguration?.OutputLocation, 's3://results/narrow/');
  });

  test('FAILED with a reason, RUNNING then CANCELLED, QUEUED behind the active limit, TooManyRequests beyond the queue', async (t) => {
    const { session, admin } = await startAthena(t);
    const bad = await admin.send(new StartQueryExecutionCommand({ QueryString: 'SELEC nonsense' }));
    const failed = await settled(session, bad.QueryExecutionId);
    assert.equal(failed?.state, 'FAILED');
    const described = await admin.send(new GetQueryExecutionCommand({ QueryExecutionId: bad.QueryExecutionId }));
    assert.match(described.QueryExecution?.Status?.StateChangeReason ?? '', /not valid SQL/);
    await assert.rejects(
      admin.send(new GetQueryResultsCommand({ QueryExecutionId: bad.QueryExecutionId })),
      InvalidRequestException,
    );

    const slow = await admin.send(new StartQueryExecutionCommand({ QueryString: crossJoin(19), WorkGroup: 'narrow' }));
    const waiting = await admin.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1 AS one', WorkGroup: 'narrow' }),
    );
    const state = async (id: string | undefined) =>
      (await admin.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status?.State;
    assert.equal(await state(slow.QueryExecutionId), 'RUNNING');
    assert.equal(await state(waiting.QueryExecutionId), 'QUEUED');
    await assert.rejects(
      admin.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2', WorkGroup: 'narrow' })),
      TooManyRequestsException,
    );
    await admin.send(new StopQueryExecutionCommand({ QueryExecutionId: slow.QueryExecutionId }));
    assert.equal((await settled(session, slow.QueryExecutionId))?.state, 'CANCELLED');
    assert.equal((await settled(session, waiting.QueryExecutionId))?.state, 'SUCCEEDED', 'the queued query ran next');
  });

  test('access: each department reads its own table only; unknown keys and every escape attempt are refused', async (t) => {
    const { session, hr, client, secret } = await startAthena(t);
    const own = await hr.send(new StartQueryExecutionCommand({ QueryString: 'SELECT count(*) FROM hr.hr_events' }));
    assert.equal((await settled(session, own.QueryExecutionId))?.state, 'SUCCEEDED');
    await assert.rejects(
      hr.send(new StartQueryExecutionCommand({ QueryString: 'SELECT * FROM finance.finance_events' })),
    );
    await assert.rejects(
      client('AKIAUNKNOWNCALLER1').send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })),
    );
    for (const attempt of escapeAttempts(secret)) {
      try {
        const { QueryExecutionId } = await hr.send(new StartQueryExecutionCommand({ QueryString: attempt.sql }));
        const ended = await settled(session, QueryExecutionId);
        assert.equal(ended?.state, 'FAILED', attempt.why);
      } catch (error) {
        assert.ok(AccessDeniedException(error), `${attempt.why}: ${String(error)}`);
      }
    }
  });
});
