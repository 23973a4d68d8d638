import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { EdgeService } from '../../src/edge/edgeMessage.js';
import { EdgeServer } from '../../src/edge/edgeServer.js';
import { sigV4Scope } from '../../src/edge/sigV4Scope.js';
import type { Logger } from '../../src/shared/logger.js';
import { cleanup } from '../helpers/cleanup.js';

describe('request signatures in dev', () => {
  test('the credential scope is parsed from the Authorization header or a presigned URL', () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261204/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=abc';
    assert.deepEqual(sigV4Scope(header, new URLSearchParams()), {
      accessKeyId: 'AKIAEXAMPLE',
      date: '20261204',
      region: 'eu-west-1',
      service: 's3',
    });
    const presigned = new URLSearchParams({ 'X-Amz-Credential': 'AKID/20261204/us-east-1/lambda/aws4_request' });
    assert.equal(sigV4Scope(undefined, presigned)?.service, 'lambda');
    assert.equal(sigV4Scope('Bearer token', new URLSearchParams()), undefined);
  });

  test('any key is accepted; a client signing for another Region is served and pointed out once', async (t) => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (_fields, message) => warnings.push(message ?? ''),
      child: () => logger,
    };
    const answered: EdgeService = {
      name: 'probe',
      matches: () => true,
      handle: async () => ({
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: '<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>',
      }),
    };
    const edge = new EdgeServer({ services: [answered], logger, region: () => 'us-east-1' });
    const url = await edge.start({ port: 0 });
    cleanup(t, () => edge.dispose());
    const client = new S3Client({
      endpoint: url,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'ANYKEY', secretAccessKey: 'whatever' },
    });
    cleanup(t, () => client.destroy());
    await client.send(new ListBucketsCommand({}));
    await client.send(new ListBucketsCommand({}));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /signs s3 requests for eu-west-1, but the app runs in us-east-1/);
  });
});
