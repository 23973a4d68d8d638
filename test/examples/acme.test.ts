import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import WebSocket from 'ws';
import { overviewFromClient } from '../../examples/acme/scripts/clientAggregate.js';
import { DevSession } from '../../src/dev/devSession.js';
import type { AsyncSettlement } from '../../src/runtime/async/asyncInvoker.js';
import { cleanup } from '../helpers/cleanup.js';
import { TEST_CREDENTIALS } from '../helpers/devApp.js';
import { waitFor } from '../helpers/devProcess.js';
import { escapeAttempts } from '../query/escapeAttempts.js';

test('examples/acme: the overview aggregates four L2x (Lambda API and HTTP API), audits asynchronously to S3', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'acme-data-'));
  cleanup(t, () => rm(dataDir, { recursive: true, force: true }));
  const session = await DevSession.start({
    appDir: 'examples/acme',
    dataDir,
    edgePort: 0,
    httpPort: 0,
    wsPort: 0,
    watch: false,
  });
  cleanup(t, () => session.stop());
  const endpoint = session.endpointUrl ?? '';
  const lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true });
  cleanup(t, () => {
    lambda.destroy();
    s3.destroy();
  });

  const audited = new Promise<AsyncSettlement>((resolve) =>
    session.runtime.asyncInvoker.events.on('settled', (s) => s.functionName === 'audit' && resolve(s)),
  );
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: 'overview', Payload: JSON.stringify({ customerId: 'c-42' }) }),
  );
  const overview = JSON.parse(new TextDecoder().decode(out.Payload)) as Record<string, { customerId?: string }>;
  assert.equal(out.FunctionError, undefined);
  for (const branch of ['profile', 'orders', 'invoices', 'shipments'])
    assert.equal(overview[branch]?.customerId, 'c-42', branch);

  assert.equal((await audited).condition, 'Success');
  // The L1 held its own environment plus one per L2 at once; every invocation it made is linked to it.
  const [l1] = session.runtime.records.list({ functionName: 'overview' });
  const children = session.runtime.records.list().filter((r) => r.parentRequestId === l1?.requestId);
  assert.deepEqual(children.map((r) => r.functionName).sort(), ['audit', 'invoices', 'orders', 'profile', 'shipments']);
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: 'acme-audit' }));
  const keys = objects.Contents?.map((c) => c.Key ?? '') ?? [];
  assert.ok(keys.length >= 2);

  // The same Aggregator through the HTTP API, and the direct routes a client can aggregate itself.
  const viaHttp = (await (await fetch(`${session.httpUrl}/customers/c-42/overview`)).json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(viaHttp).sort(), ['customerId', 'invoices', 'orders', 'profile', 'shipments']);
  const direct = await Promise.all(
    ['profile', 'orders', 'invoices', 'shipments'].map(async (branch) => {
      const reply = await fetch(`${session.httpUrl}/customers/c-42/${branch}`);
      assert.equal(reply.status, 200);
      return [branch, await reply.json()] as const;
    }),
  );
  assert.deepEqual(
    Object.fromEntries(direct),
    Object.fromEntries(Object.entries(viaHttp).filter(([k]) => k !== 'customerId')),
  );
  assert.equal((await fetch(`${session.httpUrl}/customers/c-42`)).status, 404);
  // The same aggregation served asynchronously: 202 once the four branches are queued.
  const queued = await fetch(`${session.httpUrl}/customers/c-42/overview?mode=async`);
  assert.equal(queued.status, 202);
  assert.deepEqual(await queued.json(), { customerId: 'c-42', queued: ['profile', 'orders', 'invoices', 'shipments'] });
  // With an Idempotency-Key the overview is done once: a repeat gets the stored answer and invokes no L2.
  const keyed = () =>
    fetch(`${session.httpUrl}/customers/c-42/overview`, { headers: { 'idempotency-key': 'acme-test-1' } });
  const firstAnswer = await (await keyed()).text();
  const invocationsBefore = session.runtime.records.list().length;
  assert.equal(await (await keyed()).text(), firstAnswer);
  const repeated = session.runtime.records
    .list()
    .slice(invocationsBefore)
    .map((r) => r.functionName);
  assert.ok(repeated.includes('overview'));
  assert.deepEqual(
    repeated.filter((name) => ['profile', 'orders', 'invoices', 'shipments'].includes(name)),
    [],
    'the repeat ran no branch',
  );
  // The same aggregation done by the client with tributary/client: the same answer, no L1 involved.
  const byClient = await overviewFromClient(session.httpUrl ?? '', 'c-42');
  assert.equal(byClient.complete, true);
  assert.deepEqual(
    Object.fromEntries(
      ['profile', 'orders', 'invoices', 'shipments'].map((k) => [k, byClient[k as keyof typeof byClient]]),
    ),
    Object.fromEntries(Object.entries(viaHttp).filter(([k]) => k !== 'customerId')),
  );
  assert.ok(
    keys.some((k) => k.startsWith('audit/customer=c-42/')),
    'audit wrote its record',
  );
  assert.ok(
    keys.some((k) => k.startsWith('invocations/aws/lambda/async/audit/')),
    'the onSuccess destination got the invocation record',
  );

  // The asynchronous Aggregator: 202 as soon as both L2 events are queued; they run afterwards.
  const stepsDone = new Promise<void>((resolve) => {
    const done = new Set<string>();
    session.runtime.asyncInvoker.events.on('settled', (s) => {
      if (s.functionName === 'reserveStock' || s.functionName === 'notifyShipping') done.add(s.functionName);
      if (done.size === 2) resolve();
    });
  });
  const placed = await fetch(`${session.httpUrl}/orders`, {
    method: 'POST',
    body: JSON.stringify({ customerId: 'c-42', items: ['sku-1'] }),
  });
  assert.equal(placed.status, 202);
  const { orderId } = (await placed.json()) as { orderId: string };
  await stepsDone;
  const orderKeys = (
    (await s3.send(new ListObjectsV2Command({ Bucket: 'acme-audit', Prefix: `orders/${orderId}/` }))).Contents ?? []
  ).map((c) => c.Key);
  assert.deepEqual(orderKeys.sort(), [`orders/${orderId}/notifyShipping.json`, `orders/${orderId}/reserveStock.json`]);
  // recordOrder wrote it to the orders table; the table's stream fed ordersToLake, which wrote the change into the
  // order_changes delivery stream: a few seconds later the order is queryable with SQL.
  const changeRow = async (): Promise<readonly (string | null)[] | undefined> => {
    const queries = session.queries;
    if (queries === undefined) return undefined;
    const id = await queries.start({
      query: `SELECT change, customer_id, status, items FROM order_changes WHERE order_id = '${orderId}'`,
      principal: { name: 'test', tables: undefined },
    });
    return (await queries.settled(id)).result?.rows[0];
  };
  assert.ok(await waitFor(async () => (await changeRow()) !== undefined, 20_000), 'the order reached the lake');
  assert.deepEqual(await changeRow(), ['INSERT', 'c-42', 'placed', '1']);
  assert.equal((await fetch(`${session.httpUrl}/orders`, { method: 'POST', body: '{}' })).status, 400);

  // The staff route: the Lambda authorizer refuses without the demo token and lets it through.
  assert.equal((await fetch(`${session.httpUrl}/staff/customers/c-42/overview`)).status, 401);
  const wrongToken = await fetch(`${session.httpUrl}/staff/customers/c-42/overview`, {
    headers: { authorization: 'Bearer guess' },
  });
  assert.equal(wrongToken.status, 403);
  const staff = await fetch(`${session.httpUrl}/staff/customers/c-42/overview`, {
    headers: { authorization: 'Bearer acme-staff-demo-token' },
  });
  assert.equal(staff.status, 200);

  // The WebSocket route streams the aggregation back: one message per branch, then done.
  const socket = new WebSocket(session.websocketUrl ?? '');
  cleanup(t, () => socket.terminate());
  await once(socket, 'open');
  const received: Record<string, unknown>[] = [];
  const done = new Promise<void>((resolve) =>
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      received.push(message);
      if (message.done === true) resolve();
    }),
  );
  socket.send(JSON.stringify({ action: 'overview', customerId: 'c-7' }));
  await done;
  assert.deepEqual(
    received
      .filter((m) => typeof m.branch === 'string')
      .map((m) => m.branch)
      .sort(),
    ['invoices', 'orders', 'profile', 'shipments'],
  );

  // Department events straight into the lake, each department with its own key: one Parquet object per department.
  const events = {
    hr: { dept: 'hr', type: 'hire', subject: 'e-1', amount: 0, at: '2026-12-04T09:00:00Z' },
    finance: { dept: 'finance', type: 'invoice', subject: 'i-9', amount: 120.5, at: '2026-12-04T09:01:00Z' },
    logistics: { dept: 'logistics', type: 'shipment', subject: 's-3', amount: 3, at: '2026-12-04T09:02:00Z' },
  };
  const KEYS = {
    hr: 'acme-hr-demo-key-0000000001',
    logistics: 'acme-logistics-demo-key-0002',
    finance: 'acme-finance-demo-key-00003',
  };
  const push = (key: string | undefined, body: unknown[]) =>
    fetch(`${session.httpUrl}/departments/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...(key === undefined ? {} : { 'x-api-key': key }) },
      body: body.map((e) => JSON.stringify(e)).join('\n'),
    });
  for (const dept of ['hr', 'finance', 'logistics'] as const)
    assert.equal((await push(KEYS[dept], [events[dept]])).status, 200, dept);
  assert.equal((await push(undefined, [events.hr])).status, 403, 'no key, no write');
  const intoFinance = await push(KEYS.hr, [events.hr, events.finance]);
  assert.equal(intoFinance.status, 403, "hr may not write into finance's prefix");
  assert.match(await intoFinance.text(), /acme-lake\/departments\/dept=finance\//);
  await session.streams?.flushAll();
  const lakeKeys = (session.objectStore?.listKeys('acme-lake', 'departments/', '', 1000) ?? []).map((o) => o.key);
  for (const dept of ['hr', 'finance', 'logistics'])
    assert.ok(
      lakeKeys.some((k) => new RegExp(`^departments/dept=${dept}/dt=\\d{4}-\\d{2}-\\d{2}/.+\\.parquet$`).test(k)),
      `${dept}: ${lakeKeys.join(', ')}`,
    );

  // The same grants on the S3 API: a department lists and reads its own prefix only.
  const hrS3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAACMEHR000000001', secretAccessKey: 'x' },
    forcePathStyle: true,
  });
  cleanup(t, () => hrS3.destroy());
  const hrObjects = await hrS3.send(new ListObjectsV2Command({ Bucket: 'acme-lake', Prefix: 'departments/dept=hr/' }));
  assert.equal(hrObjects.KeyCount, 1);
  await assert.rejects(
    hrS3.send(new ListObjectsV2Command({ Bucket: 'acme-lake', Prefix: 'departments/dept=finance/' })),
    (e: unknown) => (e as Error).name === 'AccessDenied',
  );
  const financeKey = lakeKeys.find((k) => k.startsWith('departments/dept=finance/')) ?? '';
  await assert.rejects(
    hrS3.send(new GetObjectCommand({ Bucket: 'acme-lake', Key: financeKey })),
    (e: unknown) => (e as Error).name === 'AccessDenied',
  );
  await assert.rejects(
    s3.send(new ListObjectsV2Command({ Bucket: 'acme-lake' })),
    (e: unknown) => (e as Error).name === 'AccessDenied',
    'an unknown key reads nothing of the lake',
  );

  // The query route: SQL through the Athena API as the calling department, its own table only.
  const ask = (sql: string, key?: string) =>
    fetch(`${session.httpUrl}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }) },
      body: JSON.stringify({ sql }),
    });
  const HR_KEY = 'acme-hr-demo-key-0000000001';
  const own = await ask('SELECT type, amount FROM hr_events', HR_KEY);
  assert.equal(own.status, 200);
  assert.deepEqual(await own.json(), { columns: ['type', 'amount'], rows: [['hire', '0']] });
  assert.equal((await ask('SELECT 1')).status, 401, 'no API key');
  const crossDepartment = await ask('SELECT * FROM finance.finance_events', HR_KEY);
  assert.equal(crossDepartment.status, 403);
  assert.match(((await crossDepartment.json()) as { message: string }).message, /AccessDeniedException/);
  for (const attempt of escapeAttempts(join(dataDir, 'secret.csv'))) {
    const refused = await ask(attempt.sql, HR_KEY);
    assert.notEqual(refused.status, 200, attempt.why);
  }
});
