import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIGatewayProxyEventSchema, APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { ManualClock } from '../../src/shared/clock.js';
import { startDevApp } from '../helpers/devApp.js';
import { openGate } from '../helpers/gate.js';
import { call, json } from '../helpers/httpCall.js';

const files = {
  'echo.mjs': 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });',
  'plain.mjs': 'export const handler = async () => ({ hello: "world" });',
  'text.mjs': 'export const handler = async () => "just text";',
  'full.mjs': `export const handler = async () => ({
  statusCode: 201, headers: { 'x-custom': 'yes' }, cookies: ['a=1; Path=/', 'b=2'],
  body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true,
});`,
  'v1.mjs': `export const handler = async (event) => ({
  statusCode: 200, headers: { 'x-one': 'single', 'x-both': 'from-headers' }, multiValueHeaders: { 'x-both': ['m1', 'm2'] },
  body: JSON.stringify(event),
});`,
  'malformed.mjs': 'export const handler = async () => ({ body: "no status code" });',
  'fail.mjs': 'export const handler = async () => { throw new Error("boom"); };',
  'wait.mjs':
    'export const handler = async (event) => { const q = event.queryStringParameters ?? {}; if (q.gate) await fetch(q.gate); return "waited"; };',
};
const functions = {
  echo: { handler: 'echo.handler' },
  plain: { handler: 'plain.handler' },
  text: { handler: 'text.handler' },
  full: { handler: 'full.handler' },
  v1: { handler: 'v1.handler' },
  malformed: { handler: 'malformed.handler' },
  fail: { handler: 'fail.handler' },
  wait: { handler: 'wait.handler', reservedConcurrency: 1, timeout: 60 },
};

describe('HTTP API (payload 2.0) over real sockets', () => {
  const routes = {
    'GET /customers/{id}': 'echo',
    'GET /customers/me': 'plain',
    'ANY /files/{path+}': 'echo',
    'POST /echo': 'echo',
    'GET /plain': 'plain',
    'GET /text': 'text',
    'GET /full': 'full',
    'GET /malformed': 'malformed',
    'GET /fail': 'fail',
    'GET /wait': 'wait',
  };

  async function api(t: import('node:test').TestContext, extra: Record<string, unknown> = {}) {
    const { session } = await startDevApp(t, {
      functions,
      files,
      config: { http: { type: 'http', routes, ...extra } },
    });
    return session.httpUrl ?? '';
  }

  test('the 2.0 event: AWS shape (parses with Powertools), route key, raw path and query, cookies, path parameters', async (t) => {
    const base = await api(t);
    const reply = await call(base, 'GET', '/customers/c%2D42?tag=a&tag=b&q=x%20y', {
      headers: { cookie: 'session=abc; theme=dark', 'x-multi': ['1', '2'], 'user-agent': 'test-agent' },
    });
    assert.equal(reply.status, 200);
    // biome-ignore lint/suspicious/noExplicitAny: an event checked field by field (and by the Powertools schema)
    const event = json(reply) as Record<string, any>;
    APIGatewayProxyEventV2Schema.parse(event);
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, 'GET /customers/{id}');
    assert.equal(event.rawPath, '/customers/c%2D42');
    assert.equal(event.rawQueryString, 'tag=a&tag=b&q=x%20y');
    assert.deepEqual(event.queryStringParameters, { tag: 'a,b', q: 'x y' });
    assert.deepEqual(event.pathParameters, { id: 'c-42' });
    assert.deepEqual(event.cookies, ['session=abc', 'theme=dark']);
    assert.equal(event.headers.cookie, undefined, 'cookies move out of the headers');
    assert.equal(event.headers['x-multi'], '1,2');
    assert.equal(event.requestContext.http.method, 'GET');
    assert.equal(event.requestContext.http.userAgent, 'test-agent');
    assert.equal(event.requestContext.http.sourceIp, '127.0.0.1');
    assert.equal(event.requestContext.stage, '$default');
    assert.match(event.requestContext.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(event.isBase64Encoded, false);
    assert.equal('body' in event, false, 'no body, no body key');
    assert.ok(typeof reply.headers['apigw-requestid'] === 'string');
  });

  test('bodies: text as is, binary as base64', async (t) => {
    const base = await api(t);
    const text = json(
      await call(base, 'POST', '/echo', { headers: { 'content-type': 'application/json' }, body: '{"a":1}' }),
    ) as Record<string, unknown>;
    assert.equal(text.body, '{"a":1}');
    assert.equal(text.isBase64Encoded, false);
    const binary = json(
      await call(base, 'POST', '/echo', {
        headers: { 'content-type': 'image/png' },
        body: Buffer.from([137, 80, 78, 71]),
      }),
    ) as Record<string, unknown>;
    assert.equal(binary.body, Buffer.from([137, 80, 78, 71]).toString('base64'));
    assert.equal(binary.isBase64Encoded, true);
  });

  test('route selection: static over {param}, greedy {path+}, ANY; 404 {"message":"Not Found"} otherwise', async (t) => {
    const base = await api(t);
    assert.deepEqual(json(await call(base, 'GET', '/customers/me')), { hello: 'world' });
    const greedy = json(await call(base, 'DELETE', '/files/a/b/c.txt')) as {
      routeKey: string;
      pathParameters: unknown;
    };
    assert.equal(greedy.routeKey, 'ANY /files/{path+}');
    assert.deepEqual(greedy.pathParameters, { path: 'a/b/c.txt' });
    const missing = await call(base, 'GET', '/nowhere');
    assert.equal(missing.status, 404);
    assert.deepEqual(json(missing), { message: 'Not Found' });
    assert.equal((await call(base, 'PUT', '/plain')).status, 404, 'the method is part of the route');
  });

  test("responses: 2.0's shortcut (object or string -> 200 JSON), full responses with cookies and base64 bodies", async (t) => {
    const base = await api(t);
    const plain = await call(base, 'GET', '/plain');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'application/json');
    assert.deepEqual(json(plain), { hello: 'world' });
    const text = await call(base, 'GET', '/text');
    assert.equal(text.body.toString(), 'just text');
    const full = await call(base, 'GET', '/full');
    assert.equal(full.status, 201);
    assert.equal(full.headers['x-custom'], 'yes');
    assert.deepEqual(full.headers['set-cookie'], ['a=1; Path=/', 'b=2']);
    assert.deepEqual([...full.body], [0, 1, 2, 255]);
  });

  test('a function error or an unusable response: 500 {"message":"Internal Server Error"}', async (t) => {
    const base = await api(t);
    for (const path of ['/fail']) {
      const reply = await call(base, 'GET', path);
      assert.equal(reply.status, 500);
      assert.deepEqual(json(reply), { message: 'Internal Server Error' });
    }
  });

  test('a body over 10 MB: 413', async (t) => {
    const base = await api(t);
    const reply = await call(base, 'POST', '/echo', { body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a') });
    assert.equal(reply.status, 413);
  });

  test('the integration timeout answers the client while the function runs on; throttles surface as 503', async (t) => {
    const clock = new ManualClock();
    const gate = await openGate(t);
    const { session } = await startDevApp(t, {
      clock,
      functions,
      files,
      config: { http: { type: 'http', routes, integrationTimeoutMs: 2000 } },
    });
    const base = session.httpUrl ?? '';
    const started = new Promise<void>((resolve) => session.runtime.events.once('invoke-start', () => resolve()));
    const slow = call(base, 'GET', `/wait?gate=${encodeURIComponent(gate.url)}`);
    await started;
    await gate.arrived(1);
    const throttled = await call(base, 'GET', '/wait');
    assert.equal(throttled.status, 503, 'reserved concurrency 1 is in use');
    clock.advance(2000);
    const timedOut = await slow;
    assert.equal(timedOut.status, 504);
    gate.release();
  });
});

describe('throttling and CORS', () => {
  const cors = {
    allowOrigins: ['https://app.example'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type'],
    exposeHeaders: ['x-custom'],
    maxAge: 600,
  };
  const corsFiles = {
    ...files,
    'ownCors.mjs':
      "export const handler = async () => ({ statusCode: 200, headers: { 'access-control-allow-origin': '*' }, body: 'x' });",
  };

  test('token buckets on the injected clock: a route over its limit answers 429 {"message":"Too Many Requests"} until tokens refill', async (t) => {
    const clock = new ManualClock();
    const { session } = await startDevApp(t, {
      clock,
      functions,
      files,
      config: {
        http: {
          routes: {
            'GET /limited': { function: 'plain', throttle: { rateLimit: 1, burstLimit: 2 } },
            'GET /plain': 'plain',
          },
        },
      },
    });
    const base = session.httpUrl ?? '';
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(base, 'GET', '/limited')).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const throttled = await call(base, 'GET', '/limited');
    assert.deepEqual(json(throttled), { message: 'Too Many Requests' });
    assert.equal((await call(base, 'GET', '/plain')).status, 200, 'another route has its own bucket');
    clock.advance(1000);
    assert.equal((await call(base, 'GET', '/limited')).status, 200, 'one token refilled after a second');
    assert.equal((await call(base, 'GET', '/limited')).status, 429);
  });

  test('CORS: the gateway answers preflights and sets the headers on responses to allowed origins', async (t) => {
    const { session } = await startDevApp(t, {
      functions: { ...functions, ownCors: { handler: 'ownCors.handler' } },
      files: corsFiles,
      config: { http: { cors, routes: { 'GET /plain': 'plain', 'GET /own': 'ownCors' } } },
    });
    const base = session.httpUrl ?? '';
    const preflight = await call(base, 'OPTIONS', '/plain', {
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(preflight.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type');
    assert.equal(preflight.headers['access-control-max-age'], '600');

    const refused = await call(base, 'OPTIONS', '/plain', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);

    const allowed = await call(base, 'GET', '/plain', { headers: { origin: 'https://app.example' } });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(allowed.headers['access-control-expose-headers'], 'x-custom');
    const own = await call(base, 'GET', '/own', { headers: { origin: 'https://evil.example' } });
    assert.equal(own.headers['access-control-allow-origin'], undefined, "the function's own CORS headers are replaced");
    const noOrigin = await call(base, 'GET', '/plain');
    assert.equal(noOrigin.headers['access-control-allow-origin'], undefined);
  });
});

describe('REST API (payload 1.0)', () => {
  test('the 1.0 event (parses with Powertools), multi-value maps, merged response headers; 403 and 502 as REST answers', async (t) => {
    const { session } = await startDevApp(t, {
      functions,
      files,
      config: {
        http: { type: 'rest', routes: { 'GET /orders/{id}': 'v1', 'GET /bad': 'malformed', 'GET /fail': 'fail' } },
      },
    });
    const base = session.httpUrl ?? '';
    const reply = await call(base, 'GET', '/orders/o-1?x=1&x=2', { headers: { 'X-Trace': 'abc' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-one'], 'single');
    assert.equal(reply.headers['x-both'], 'm1, m2', 'multiValueHeaders win over headers');
    // biome-ignore lint/suspicious/noExplicitAny: an event checked field by field (and by the Powertools schema)
    const event = json(reply) as Record<string, any>;
    APIGatewayProxyEventSchema.parse(event);
    assert.equal(event.resource, '/orders/{id}');
    assert.equal(event.path, '/orders/o-1');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.pathParameters, { id: 'o-1' });
    assert.deepEqual(event.queryStringParameters, { x: '2' });
    assert.deepEqual(event.multiValueQueryStringParameters, { x: ['1', '2'] });
    assert.equal(event.headers['X-Trace'], 'abc', 'REST keeps header names as sent');
    assert.deepEqual(event.multiValueHeaders['X-Trace'], ['abc']);
    assert.equal(event.body, null);
    assert.equal(event.requestContext.path, '/dev/orders/o-1');

    const missing = await call(base, 'GET', '/nowhere');
    assert.equal(missing.status, 403);
    assert.deepEqual(json(missing), { message: 'Missing Authentication Token' });
    for (const path of ['/bad', '/fail']) {
      const failed = await call(base, 'GET', path);
      assert.equal(failed.status, 502, path);
      assert.deepEqual(json(failed), { message: 'Internal server error' });
    }
  });
});
