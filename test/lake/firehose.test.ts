import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  InvalidArgumentException,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { ManualClock } from '../../src/shared/clock.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';

const enc = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

const lake = {
  buckets: ['lake'],
  tables: {
    people: {
      bucket: 'lake',
      prefix: 'people/',
      columns: {
        id: 'bigint',
        name: 'string',
        amount: 'double',
        active: 'boolean',
        joined: 'timestamp',
        day: 'date',
        tags: 'array<string>',
        address: 'struct<city:string,zip:int>',
      },
      partitionKeys: { dept: 'string' },
    },
  },
  streams: {
    people: {
      bucket: 'lake',
      format: 'parquet',
      table: 'people',
      compression: 'zstd',
      prefix: 'people/dept=!{partitionKeyFromQuery:dept}/',
      errorOutputPrefix: 'errors/!{firehose:error-output-type}/',
      dynamicPartitioning: { keys: { dept: '.dept' } },
      buffering: { sizeInMBs: 64, intervalInSeconds: 60 },
    },
    raw: { bucket: 'lake', prefix: 'raw/', buffering: { sizeInMBs: 1, intervalInSeconds: 30 } },
    tiny: {
      bucket: 'lake',
      prefix: 'tiny/',
      quota: { recordsPerSecond: 3, requestsPerSecond: 100, bytesPerSecond: 1_000_000 },
    },
  },
};

async function startLake(t: import('node:test').TestContext) {
  const clock = new ManualClock(Date.parse('2026-12-04T10:15:00Z'));
  const { session, endpoint, dir } = await startDevApp(t, {
    clock,
    functions: {},
    files: {},
    config: {
      lake,
      http: { routes: { 'POST /ingest/people': { stream: 'people' }, 'POST /ingest/raw': { stream: 'raw' } } },
    },
  });
  const options = { endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  const firehose = new FirehoseClient(options);
  const s3 = new S3Client({ ...options, forcePathStyle: true });
  cleanup(t, () => {
    firehose.destroy();
    s3.destroy();
  });
  const keys = async (prefix: string): Promise<string[]> =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: prefix }))).Contents ?? []).map(
      (c) => c.Key ?? '',
    );
  const text = async (key: string): Promise<string> =>
    (await (await s3.send(new GetObjectCommand({ Bucket: 'lake', Key: key }))).Body?.transformToString()) ?? '';
  return { session, clock, firehose, s3, keys, text, dataDir: join(dir, '.tributary'), httpUrl: session.httpUrl ?? '' };
}

/** Lets the delivery chain run after a timer fired on the manual clock. */
async function delivered(session: { streams: { flushAll(): Promise<void> } | undefined }): Promise<void> {
  await session.streams?.flushAll();
}

describe('Firehose delivery streams into the lake', () => {
  test('records in, Parquet out per department, read back with DuckDB: equal to the input, types and partitions', async (t) => {
    const { session, clock, firehose, keys, dataDir } = await startLake(t);
    const people = [
      {
        id: 1,
        name: 'Ada',
        amount: 12.5,
        active: true,
        joined: '2026-01-02T03:04:05.000Z',
        day: '2026-01-02',
        tags: ['a', 'b'],
        address: { city: 'London', zip: 1 },
        dept: 'hr',
      },
      {
        id: 2,
        name: 'Grace',
        amount: '7.25',
        active: 'false',
        joined: 1767323045000,
        day: '2026-01-03',
        tags: [],
        address: { city: 'NYC', zip: 2 },
        dept: 'finance',
      },
      {
        id: 3,
        name: 'Linus',
        amount: 1,
        active: false,
        joined: null,
        day: null,
        tags: null,
        address: null,
        dept: 'hr',
      },
    ];
    const reply = await firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'people', Records: people.map((p) => ({ Data: enc(p) })) }),
    );
    assert.equal(reply.FailedPutCount, 0);
    assert.equal(reply.RequestResponses?.length, 3);
    assert.ok(reply.RequestResponses?.every((r) => typeof r.RecordId === 'string' && r.RecordId.length > 10));
    assert.deepEqual(await keys('people/'), [], 'nothing is delivered before the buffer interval');

    clock.advance(60_000);
    await delivered(session);
    const written = await keys('people/');
    assert.equal(written.length, 2, 'one object per active partition');
    assert.ok(
      written.some(
        (k) => k.startsWith('people/dept=hr/2026/12/04/10/people-1-2026-12-04-10-15-00-') && k.endsWith('.parquet'),
      ),
    );
    assert.ok(written.some((k) => k.startsWith('people/dept=finance/')));

    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    cleanup(t, () => {
      connection.closeSync();
      duck.closeSync();
    });
    const glob = join(dataDir, 's3', 'lake', 'people', '**', '*.parquet');
    const result = await connection.runAndReadAll(
      `SELECT id, name, amount, active, strftime(joined, '%Y-%m-%dT%H:%M:%S') AS joined, CAST(day AS VARCHAR) AS day, tags, address, dept
       FROM read_parquet('${glob}', hive_partitioning = true) ORDER BY id`,
    );
    const rows = result.getRowObjectsJson();
    assert.deepEqual(rows, [
      {
        id: '1',
        name: 'Ada',
        amount: 12.5,
        active: true,
        joined: '2026-01-02T03:04:05',
        day: '2026-01-02',
        tags: ['a', 'b'],
        address: { city: 'London', zip: 1 },
        dept: 'hr',
      },
      {
        id: '2',
        name: 'Grace',
        amount: 7.25,
        active: false,
        joined: '2026-01-02T03:04:05',
        day: '2026-01-03',
        tags: [],
        address: { city: 'NYC', zip: 2 },
        dept: 'finance',
      },
      {
        id: '3',
        name: 'Linus',
        amount: 1,
        active: false,
        joined: null,
        day: null,
        tags: null,
        address: null,
        dept: 'hr',
      },
    ]);
    const types = await connection.runAndReadAll(
      `SELECT DISTINCT name, type FROM parquet_schema('${glob}') WHERE name IN ('id', 'amount', 'joined', 'day') ORDER BY name`,
    );
    assert.deepEqual(
      types.getRowObjectsJson().map((r) => `${r.name}:${r.type}`),
      ['amount:DOUBLE', 'day:INT32', 'id:INT64', 'joined:INT64'],
      'every file carries the table types',
    );
  });

  test('bad records land in the error prefix with their raw data; nothing else is lost', async (t) => {
    const { session, clock, firehose, keys, text } = await startLake(t);
    const good = { id: 10, name: 'ok', dept: 'hr' };
    const badInputs = [
      Buffer.from('{"id": 11, "name": "broken", "dept": "hr"'),
      Buffer.from(JSON.stringify({ id: 'twelve', name: 'wrong type', dept: 'hr' })),
      Buffer.from(JSON.stringify({ id: 13, name: 'no dept' })),
      Buffer.from(JSON.stringify([{ id: 14, dept: 'hr' }])),
      Buffer.concat([Buffer.from('{"id": 15, "name": "'), Buffer.from([0xff, 0xfe]), Buffer.from('", "dept": "hr"}')]),
    ];
    const reply = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'people',
        Records: [{ Data: enc(good) }, ...badInputs.map((b) => ({ Data: new Uint8Array(b) }))],
      }),
    );
    assert.equal(reply.FailedPutCount, 0, 'Firehose accepts bytes; conversion decides later');
    clock.advance(60_000);
    await delivered(session);

    assert.equal((await keys('people/')).length, 1, 'the good record was delivered');
    const errorKeys = await keys('errors/');
    const documents = (await Promise.all(errorKeys.map(text))).flatMap((body) =>
      body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { rawData: string; lastErrorCode: string; lastErrorMessage: string }),
    );
    assert.equal(documents.length, badInputs.length, 'every bad record has an error document');
    const raw = documents.map((d) => Buffer.from(d.rawData, 'base64').toString('hex')).sort();
    assert.deepEqual(raw, badInputs.map((b) => b.toString('hex')).sort(), 'raw data kept byte for byte');
    assert.ok(
      errorKeys.some((k) => k.startsWith('errors/processing-failed/')),
      'partition-key failures',
    );
    assert.ok(
      errorKeys.some((k) => k.startsWith('errors/format-conversion-failed/')),
      'conversion failures',
    );
    assert.ok(documents.some((d) => d.lastErrorCode === 'DynamicPartitioning.MetadataExtractionFailed'));
    assert.ok(documents.some((d) => /column id/.test(d.lastErrorMessage)));
    const stats = session.streams?.get('people').getStats();
    assert.equal(stats?.recordsAccepted, 6);
    assert.equal((stats?.recordsDelivered ?? 0) + (stats?.recordsFailed ?? 0), 6);
  });

  test("AWS's errors: unknown stream, oversize record and batch, over 500 records; partial failure over quota", async (t) => {
    const { firehose } = await startLake(t);
    await assert.rejects(
      firehose.send(new PutRecordCommand({ DeliveryStreamName: 'nope', Record: { Data: enc('{}') } })),
      (e: unknown) => e instanceof ResourceNotFoundException && /Firehose nope under account/.test(e.message),
    );
    await assert.rejects(
      firehose.send(
        new PutRecordCommand({ DeliveryStreamName: 'raw', Record: { Data: new Uint8Array(1_000 * 1024 + 1) } }),
      ),
      (e: unknown) => (e as Error).name === 'ValidationException',
    );
    await assert.rejects(
      firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'raw',
          Records: Array.from({ length: 501 }, () => ({ Data: enc('{}') })),
        }),
      ),
      (e: unknown) => (e as Error).name === 'ValidationException',
    );
    await assert.rejects(
      firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'raw',
          Records: Array.from({ length: 5 }, () => ({ Data: new Uint8Array(900 * 1024) })),
        }),
      ),
      InvalidArgumentException,
    );
    const partial = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'tiny',
        Records: Array.from({ length: 5 }, (_, i) => ({ Data: enc({ i }) })),
      }),
    );
    assert.equal(partial.FailedPutCount, 2);
    assert.deepEqual(
      partial.RequestResponses?.map((r) => r.ErrorCode ?? 'ok'),
      ['ok', 'ok', 'ok', 'ServiceUnavailableException', 'ServiceUnavailableException'],
    );
    await assert.rejects(
      firehose.send(new PutRecordCommand({ DeliveryStreamName: 'tiny', Record: { Data: enc('{}') } })),
      ServiceUnavailableException,
    );
    const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
    assert.deepEqual(listed.DeliveryStreamNames, ['people', 'raw', 'tiny']);
    const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'people' }));
    const destination = described.DeliveryStreamDescription?.Destinations?.[0]?.ExtendedS3DestinationDescription;
    assert.equal(described.DeliveryStreamDescription?.DeliveryStreamStatus, 'ACTIVE');
    assert.equal(destination?.BufferingHints?.IntervalInSeconds, 60);
    assert.equal(destination?.BucketARN, 'arn:aws:s3:::lake');
  });

  test('JSON streams: records concatenated with newlines, default yyyy/MM/dd/HH/ prefix, size-triggered flush', async (t) => {
    const { session, clock, firehose, keys, text } = await startLake(t);
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'raw', Record: { Data: enc({ a: 1 }) } }));
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'raw', Record: { Data: enc('{"b":2}\n') } }));
    clock.advance(30_000);
    await delivered(session);
    const [key] = await keys('raw/');
    assert.match(key ?? '', /^raw\/2026\/12\/04\/10\/raw-1-2026-12-04-10-15-00-[0-9a-f]+$/);
    assert.equal(await text(key ?? ''), '{"a":1}\n{"b":2}\n');

    // 1 MB buffers: the records that fill one are delivered without waiting for the interval.
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 11; i++)
      await firehose.send(new PutRecordCommand({ DeliveryStreamName: 'raw', Record: { Data: enc({ i, big }) } }));
    await delivered(session);
    assert.equal((await keys('raw/')).length, 2);
  });

  test('an HTTP route feeds a stream directly: a JSON object, a JSON array or NDJSON, acknowledged once durable', async (t) => {
    const { session, clock, keys, text, httpUrl } = await startLake(t);
    const post = (body: string, type = 'application/json') =>
      fetch(`${httpUrl}/ingest/raw`, { method: 'POST', headers: { 'content-type': type }, body });
    const one = await post(JSON.stringify({ n: 1 }));
    assert.equal(one.status, 200);
    const answer = (await one.json()) as { FailedPutCount: number; RequestResponses: { RecordId?: string }[] };
    assert.equal(answer.FailedPutCount, 0);
    assert.equal(answer.RequestResponses.length, 1);
    assert.equal((await post(JSON.stringify([{ n: 2 }, { n: 3 }]))).status, 200);
    assert.equal((await post('{"n":4}\n{"n":5}\r\n\n{"n":6}\n', 'application/x-ndjson')).status, 200);
    assert.equal((await post('{"n":7}\n{"n":8}')).status, 200, 'NDJSON without its content type');
    const pretty = await post('{\n  "n": 9\n}\n');
    assert.equal(pretty.status, 200);
    assert.equal(
      ((await pretty.json()) as { RequestResponses: unknown[] }).RequestResponses.length,
      1,
      'one object, one record',
    );
    const empty = await post('');
    assert.equal(empty.status, 400);
    assert.equal((await post('[1, 2')).status, 400);
    clock.advance(30_000);
    await delivered(session);
    const bodies = await Promise.all((await keys('raw/')).map(text));
    const ns = bodies
      .join('')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { n: number }).n)
      .sort((a, b) => a - b);
    assert.deepEqual(ns, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("the same stream into any S3-compatible endpoint (here another Tributary's S3 API) through the SDK", async (t) => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
    cleanup(t, () => {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    const storage = await startDevApp(t, { functions: {}, files: {}, config: {} });
    const clock = new ManualClock(Date.parse('2026-12-04T10:15:00Z'));
    const { session } = await startDevApp(t, {
      clock,
      functions: {},
      files: {},
      config: {
        lake: {
          store: { s3: { endpoint: storage.endpoint } },
          buckets: ['remote-lake'],
          streams: {
            out: { bucket: 'remote-lake', prefix: 'out/', buffering: { sizeInMBs: 1, intervalInSeconds: 5 } },
          },
        },
      },
    });
    await session.streams?.get('out').put([Buffer.from('{"far":"away"}')]);
    clock.advance(5_000);
    await delivered(session);
    const s3 = new S3Client({
      endpoint: storage.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    cleanup(t, () => s3.destroy());
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'remote-lake', Prefix: 'out/' }));
    assert.equal(listed.KeyCount, 1);
    const body = await s3.send(new GetObjectCommand({ Bucket: 'remote-lake', Key: listed.Contents?.[0]?.Key ?? '' }));
    assert.equal(await body.Body?.transformToString(), '{"far":"away"}\n');
  });
});
