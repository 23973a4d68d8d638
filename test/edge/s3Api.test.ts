import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DevSession } from '../../src/dev/devSession.js';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';

function s3(t: import('node:test').TestContext, endpoint: string): S3Client {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
  });
  t.after(() => client.destroy());
  return client;
}

function rejectsWith(name: string, status: number) {
  return (error: unknown): boolean => {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, name);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  };
}

const writer = `import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({ forcePathStyle: true });
export const handler = async (event) => {
  await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: 'dept=' + event.dept + '/record.json', Body: JSON.stringify(event) }));
  return 'stored';
};`;

async function app(t: import('node:test').TestContext) {
  const started = await startDevApp(t, {
    functions: { writer: { handler: 'writer.handler' } },
    files: { 'writer.mjs': writer },
  });
  return { ...started, client: s3(t, started.endpoint) };
}

describe('S3 API on the local endpoint (@aws-sdk/client-s3)', () => {
  test('buckets: create, head, list, delete (BucketNotEmpty first), invalid names', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'alpha' }));
    await client.send(new CreateBucketCommand({ Bucket: 'alpha' })); // us-east-1 answers 200 for your own bucket
    await client.send(new CreateBucketCommand({ Bucket: 'beta' }));
    await client.send(new HeadBucketCommand({ Bucket: 'alpha' }));
    await assert.rejects(client.send(new HeadBucketCommand({ Bucket: 'nope' })), rejectsWith('NotFound', 404));
    const listed = await client.send(new ListBucketsCommand({}));
    assert.deepEqual(
      listed.Buckets?.map((b) => b.Name),
      ['alpha', 'beta'],
    );
    await client.send(new PutObjectCommand({ Bucket: 'beta', Key: 'k', Body: 'x' }));
    await assert.rejects(client.send(new DeleteBucketCommand({ Bucket: 'beta' })), rejectsWith('BucketNotEmpty', 409));
    await client.send(new DeleteObjectCommand({ Bucket: 'beta', Key: 'k' }));
    await client.send(new DeleteBucketCommand({ Bucket: 'beta' }));
    await assert.rejects(client.send(new DeleteBucketCommand({ Bucket: 'beta' })), rejectsWith('NoSuchBucket', 404));
    await assert.rejects(
      client.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })),
      rejectsWith('InvalidBucketName', 400),
    );
  });

  test('put (aws-chunked with a CRC32 trailer, as SDK v3 sends by default) and get back the same bytes and metadata', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    const body = Buffer.from('héllo, lake\n'.repeat(1000));
    const put = await client.send(
      new PutObjectCommand({
        Bucket: 'data',
        Key: 'a/b/c.txt',
        Body: body,
        ContentType: 'text/plain',
        Metadata: { owner: 'sales' },
        CacheControl: 'max-age=60',
      }),
    );
    assert.match(put.ETag ?? '', /^"[0-9a-f]{32}"$/);
    assert.ok(put.ChecksumCRC32, 'the checksum is echoed back');
    const got = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'a/b/c.txt', ChecksumMode: 'ENABLED' }));
    assert.deepEqual(Buffer.from((await got.Body?.transformToByteArray()) ?? []), body);
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.ContentLength, body.length);
    assert.deepEqual(got.Metadata, { owner: 'sales' });
    assert.equal(got.CacheControl, 'max-age=60');
    assert.equal(got.ETag, put.ETag);
    assert.equal(got.ChecksumCRC32, put.ChecksumCRC32);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'a/b/c.txt' }));
    assert.equal(head.ContentLength, body.length);
    assert.equal(head.ContentEncoding, undefined, 'aws-chunked is not stored as the content encoding');
  });

  test('a wrong checksum is refused with BadDigest and stores nothing', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    await assert.rejects(
      client.send(
        new PutObjectCommand({
          Bucket: 'data',
          Key: 'k',
          Body: 'abc',
          ChecksumSHA256: Buffer.alloc(32).toString('base64'),
        }),
      ),
      rejectsWith('BadDigest', 400),
    );
    await assert.rejects(
      client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'k' })),
      rejectsWith('NotFound', 404),
    );
  });

  test('ranges: 206 with Content-Range, suffix ranges, 416 InvalidRange; missing keys: NoSuchKey', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'digits', Body: '0123456789' }));
    const middle = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'digits', Range: 'bytes=2-5' }));
    assert.equal(await middle.Body?.transformToString(), '2345');
    assert.equal(middle.ContentRange, 'bytes 2-5/10');
    const suffix = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'digits', Range: 'bytes=-3' }));
    assert.equal(await suffix.Body?.transformToString(), '789');
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: 'data', Key: 'digits', Range: 'bytes=20-' })),
      rejectsWith('InvalidRange', 416),
    );
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: 'data', Key: 'nope' })),
      rejectsWith('NoSuchKey', 404),
    );
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: 'nobucket', Key: 'x' })),
      rejectsWith('NoSuchBucket', 404),
    );
  });

  test('conditional writes: If-None-Match * creates once, If-Match compares and swaps; 412 otherwise', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    const first = await client.send(
      new PutObjectCommand({ Bucket: 'data', Key: 'lock', Body: 'v1', IfNoneMatch: '*' }),
    );
    await assert.rejects(
      client.send(new PutObjectCommand({ Bucket: 'data', Key: 'lock', Body: 'v2', IfNoneMatch: '*' })),
      rejectsWith('PreconditionFailed', 412),
    );
    await assert.rejects(
      client.send(new PutObjectCommand({ Bucket: 'data', Key: 'lock', Body: 'v2', IfMatch: '"0000"' })),
      rejectsWith('PreconditionFailed', 412),
    );
    await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'lock', Body: 'v2', IfMatch: first.ETag }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'lock' }));
    assert.equal(await got.Body?.transformToString(), 'v2');
  });

  test('concurrent create-only writes to one key: exactly one wins', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        client.send(new PutObjectCommand({ Bucket: 'data', Key: 'once', Body: `writer ${i}`, IfNoneMatch: '*' })),
      ),
    );
    assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
  });

  test('ListObjectsV2: order, prefix, delimiter, max-keys, continuation tokens, start-after', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'lake' }));
    const keys = [
      'dept=ops/a.json',
      'dept=sales/dt=1/a.json',
      'dept=sales/dt=1/b.json',
      'dept=sales/dt=2/a.json',
      'readme',
      'z/é.txt',
    ];
    await Promise.all(keys.map((Key) => client.send(new PutObjectCommand({ Bucket: 'lake', Key, Body: Key }))));

    const all = await client.send(new ListObjectsV2Command({ Bucket: 'lake' }));
    assert.deepEqual(
      all.Contents?.map((c) => c.Key),
      keys,
    );
    assert.equal(all.KeyCount, 6);
    assert.equal(all.Contents?.[0]?.Size, keys[0]?.length);

    const folders = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Delimiter: '/' }));
    assert.deepEqual(
      folders.CommonPrefixes?.map((p) => p.Prefix),
      ['dept=ops/', 'dept=sales/', 'z/'],
    );
    assert.deepEqual(
      folders.Contents?.map((c) => c.Key),
      ['readme'],
    );

    const sales = await client.send(
      new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'dept=sales/', Delimiter: '/' }),
    );
    assert.deepEqual(
      sales.CommonPrefixes?.map((p) => p.Prefix),
      ['dept=sales/dt=1/', 'dept=sales/dt=2/'],
    );

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: 'lake', MaxKeys: 2, Delimiter: '/', ContinuationToken: token }),
      );
      pages.push([
        ...(page.Contents ?? []).map((c) => c.Key ?? ''),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
      ]);
      assert.equal(page.IsTruncated, page.NextContinuationToken !== undefined);
      token = page.NextContinuationToken;
    } while (token !== undefined);
    assert.deepEqual(pages.flat().sort(), ['dept=ops/', 'dept=sales/', 'readme', 'z/']);
    assert.ok(pages.every((p) => p.length <= 2));

    const after = await client.send(new ListObjectsV2Command({ Bucket: 'lake', StartAfter: 'dept=sales/dt=2/a.json' }));
    assert.deepEqual(
      after.Contents?.map((c) => c.Key),
      ['readme', 'z/é.txt'],
    );
  });

  test('DeleteObject (idempotent) and DeleteObjects', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    await Promise.all(
      ['a', 'b', 'c'].map((Key) => client.send(new PutObjectCommand({ Bucket: 'data', Key, Body: Key }))),
    );
    await client.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'never-existed' }));
    const deleted = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'data',
        Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'missing' }] },
      }),
    );
    assert.deepEqual(
      deleted.Deleted?.map((d) => d.Key),
      ['a', 'b', 'missing'],
    );
    const left = await client.send(new ListObjectsV2Command({ Bucket: 'data' }));
    assert.deepEqual(
      left.Contents?.map((c) => c.Key),
      ['c'],
    );
  });

  test('CopyObject copies bytes and metadata, or replaces the metadata', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    await client.send(
      new PutObjectCommand({
        Bucket: 'data',
        Key: 'src',
        Body: 'payload',
        ContentType: 'text/csv',
        Metadata: { m: '1' },
      }),
    );
    const copied = await client.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy', CopySource: 'data/src' }));
    assert.match(copied.CopyObjectResult?.ETag ?? '', /^"[0-9a-f]{32}"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'copy' }));
    assert.equal(head.ContentType, 'text/csv');
    assert.deepEqual(head.Metadata, { m: '1' });
    await client.send(
      new CopyObjectCommand({
        Bucket: 'data',
        Key: 'replaced',
        CopySource: 'data/src',
        MetadataDirective: 'REPLACE',
        Metadata: { m: '2' },
        ContentType: 'text/plain',
      }),
    );
    const replaced = await client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'replaced' }));
    assert.deepEqual(replaced.Metadata, { m: '2' });
    assert.equal(replaced.ContentType, 'text/plain');
  });

  test('multipart upload: parts, ListParts, ListMultipartUploads, complete (ETag "-N"), EntityTooSmall, abort', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'big' }));
    const part1 = Buffer.alloc(5 * 1024 * 1024, 'a');
    const part2 = Buffer.from('tail');
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'file.bin', ContentType: 'application/x-test' }),
    );
    const p1 = await client.send(
      new UploadPartCommand({ Bucket: 'big', Key: 'file.bin', UploadId, PartNumber: 1, Body: part1 }),
    );
    const p2 = await client.send(
      new UploadPartCommand({ Bucket: 'big', Key: 'file.bin', UploadId, PartNumber: 2, Body: part2 }),
    );
    const parts = await client.send(new ListPartsCommand({ Bucket: 'big', Key: 'file.bin', UploadId }));
    assert.deepEqual(
      parts.Parts?.map((p) => [p.PartNumber, p.Size]),
      [
        [1, part1.length],
        [2, 4],
      ],
    );
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: 'big' }));
    assert.deepEqual(
      uploads.Uploads?.map((u) => u.UploadId),
      [UploadId],
    );
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'big',
        Key: 'file.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-2"$/);
    const got = await client.send(new GetObjectCommand({ Bucket: 'big', Key: 'file.bin' }));
    assert.deepEqual(Buffer.from((await got.Body?.transformToByteArray()) ?? []), Buffer.concat([part1, part2]));
    assert.equal(got.ContentType, 'application/x-test');

    const small = await client.send(new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'small.bin' }));
    const s1 = await client.send(
      new UploadPartCommand({ Bucket: 'big', Key: 'small.bin', UploadId: small.UploadId, PartNumber: 1, Body: 'x' }),
    );
    const s2 = await client.send(
      new UploadPartCommand({ Bucket: 'big', Key: 'small.bin', UploadId: small.UploadId, PartNumber: 2, Body: 'y' }),
    );
    await assert.rejects(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'big',
          Key: 'small.bin',
          UploadId: small.UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: s1.ETag },
              { PartNumber: 2, ETag: s2.ETag },
            ],
          },
        }),
      ),
      rejectsWith('EntityTooSmall', 400),
    );
    await client.send(new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'small.bin', UploadId: small.UploadId }));
    await assert.rejects(
      client.send(new ListPartsCommand({ Bucket: 'big', Key: 'small.bin', UploadId: small.UploadId })),
      rejectsWith('NoSuchUpload', 404),
    );
  });

  test('a handler writes to S3 with new S3Client({ forcePathStyle: true }); objects survive a restart', async (t) => {
    const { client, session, dir } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'lake' }));
    const result = await session.runtime.invoke({ functionName: 'writer', payload: '{"dept":"sales","amount":3}' });
    assert.equal(result.payload, '"stored"');
    const got = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'dept=sales/record.json' }));
    assert.deepEqual(JSON.parse((await got.Body?.transformToString()) ?? ''), { dept: 'sales', amount: 3 });

    await session.stop();
    const again = await DevSession.start({ appDir: dir, edgePort: 0, httpPort: 0, watch: false });
    t.after(() => again.stop());
    const after = s3(t, again.endpointUrl ?? '');
    const kept = await after.send(new GetObjectCommand({ Bucket: 'lake', Key: 'dept=sales/record.json' }));
    assert.equal(JSON.parse((await kept.Body?.transformToString()) ?? '').amount, 3);
  });

  test('virtual-hosted style (Host: <bucket>.localhost) addresses the same objects', async (t) => {
    const { client, session } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'vhost' }));
    await client.send(new PutObjectCommand({ Bucket: 'vhost', Key: 'x/y.txt', Body: 'virtual' }));
    // fetch() may not set Host; node:http sends it as given, as a client resolving vhost.localhost would.
    const { request } = await import('node:http');
    const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${session.endpointUrl}/x/y.txt`, { headers: { host: 'vhost.localhost:4566' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(body, { status: 200, text: 'virtual' });
  });

  test('an operation Tributary does not emulate answers NotImplemented, naming it', async (t) => {
    const { client } = await app(t);
    await client.send(new CreateBucketCommand({ Bucket: 'data' }));
    await assert.rejects(client.send(new GetBucketAclCommand({ Bucket: 'data' })), (error) => {
      assert.equal((error as { name: string }).name, 'NotImplemented');
      assert.match((error as Error).message, /does not emulate the S3 operation GET \/data\/?\?acl/);
      return true;
    });
  });
});
