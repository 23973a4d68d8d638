import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AlbMultiValueHeadersSchema, AlbSchema } from '@aws-lambda-powertools/parser/schemas';
import { startDevApp } from '../helpers/devApp.js';
import { call, json } from '../helpers/httpCall.js';

// biome-ignore lint/suspicious/noExplicitAny: events are checked field by field and by Powertools' schemas
type Json = Record<string, any>;

const files = {
  'echo.mjs': 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });',
  'multi.mjs': `export const handler = async () => ({
  statusCode: 201, statusDescription: '201 Created', multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] }, body: 'made',
});`,
  'shortcut.mjs': 'export const handler = async () => ({ hello: "world" });',
  'huge.mjs': 'export const handler = async () => ({ statusCode: 200, body: "x".repeat(1024 * 1024 + 1) });',
  'fail.mjs': 'export const handler = async () => { throw new Error("boom"); };',
};
const functions = {
  echo: { handler: 'echo.handler' },
  multi: { handler: 'multi.handler' },
  shortcut: { handler: 'shortcut.handler' },
  huge: { handler: 'huge.handler' },
  fail: { handler: 'fail.handler' },
};
const routes = {
  'ANY /echo/{rest+}': 'echo',
  'GET /multi': 'multi',
  'GET /shortcut': 'shortcut',
  'GET /huge': 'huge',
  'GET /fail': 'fail',
};

async function alb(t: import('node:test').TestContext, multiValueHeaders: boolean): Promise<string> {
  const { session } = await startDevApp(t, {
    functions,
    files,
    config: { http: { type: 'alb', multiValueHeaders, routes } },
  });
  return session.httpUrl ?? '';
}

describe('Application Load Balancer with Lambda targets', () => {
  test('single-value event: lowercase headers (last wins), raw query values, X-Forwarded headers', async (t) => {
    const base = await alb(t, false);
    const reply = await call(base, 'POST', '/echo/a/b?x=1%202&x=3&flag', {
      headers: { 'X-Multi': ['one', 'two'], 'content-type': 'application/octet-stream' },
      body: Buffer.from([1, 2, 3]),
    });
    assert.equal(reply.status, 200);
    const event = json(reply) as Json;
    AlbSchema.parse(event);
    assert.match(
      event.requestContext.elb.targetGroupArn,
      /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:targetgroup\/echo\//,
    );
    assert.equal(event.httpMethod, 'POST');
    assert.equal(event.path, '/echo/a/b');
    assert.deepEqual(event.queryStringParameters, { x: '3', flag: '' }, 'not URL-decoded; the last value wins');
    assert.equal(event.headers['x-multi'], 'two');
    assert.equal(event.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(event.isBase64Encoded, true);
    assert.equal(event.body, Buffer.from([1, 2, 3]).toString('base64'));
    assert.equal('multiValueHeaders' in event, false);
  });

  test('multi-value event and response; malformed, oversize and failing targets answer 502', async (t) => {
    const base = await alb(t, true);
    const event = json(
      await call(base, 'GET', '/echo/x?x=1%202&x=3', { headers: { 'X-Multi': ['one', 'two'] } }),
    ) as Json;
    AlbMultiValueHeadersSchema.parse(event);
    assert.deepEqual(event.multiValueQueryStringParameters, { x: ['1%202', '3'] });
    assert.deepEqual(event.multiValueHeaders['x-multi'], ['one', 'two']);
    assert.equal(event.body, '');

    const multi = await call(base, 'GET', '/multi');
    assert.equal(multi.status, 201);
    assert.deepEqual(multi.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(multi.body.toString(), 'made');
    for (const path of ['/shortcut', '/huge', '/fail']) {
      const reply = await call(base, 'GET', path);
      assert.equal(reply.status, 502, path);
      assert.match(reply.body.toString(), /502 Bad Gateway/);
    }
    const missing = await call(base, 'GET', '/nowhere');
    assert.equal(missing.status, 404);
    const tooLarge = await call(base, 'POST', '/echo/big', { body: Buffer.alloc(1024 * 1024 + 1) });
    assert.equal(tooLarge.status, 413, 'a Lambda target takes at most 1 MB');
  });
});
