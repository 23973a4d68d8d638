import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import {
  APIGatewayProxyEventSchema,
  APIGatewayProxyEventV2Schema,
  APIGatewayRequestAuthorizerEventSchema,
  APIGatewayRequestAuthorizerEventV2Schema,
} from '@aws-lambda-powertools/parser/schemas';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { ManualClock } from '../../src/shared/clock.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp } from '../helpers/devApp.js';
import { call, json } from '../helpers/httpCall.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'acme-api';

// biome-ignore lint/suspicious/noExplicitAny: events are checked field by field and by Powertools' schemas
type Json = Record<string, any>;

/** An RSA key pair, its public JWKS, and a signer for tokens at the given clock time. */
async function issuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const sign = (claims: JWTPayload, nowMs: number, options: { expiresInS?: number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(nowMs / 1000))
      .setExpirationTime(Math.floor(nowMs / 1000) + (options.expiresInS ?? 3600))
      .sign(privateKey);
  return { jwks: JSON.stringify({ keys: [jwk] }), sign };
}

const echo = 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });';

describe('JWT authorizers (HTTP API)', () => {
  async function app(t: import('node:test').TestContext, jwks: { file: string } | { url: string }, keys: string) {
    const clock = new ManualClock(Date.now());
    const { session } = await startDevApp(t, {
      clock,
      functions: { echo: { handler: 'echo.handler' } },
      files: { 'echo.mjs': echo, 'jwks.json': keys },
      config: {
        http: {
          type: 'http',
          authorizers: { users: { type: 'jwt', issuer: ISSUER, audience: [AUDIENCE], jwks } },
          auth: { authorizer: 'users' },
          routes: {
            'GET /me': 'echo',
            'GET /admin': { function: 'echo', auth: { authorizer: 'users', scopes: ['admin', 'root'] } },
            'GET /public': { function: 'echo', auth: 'none' },
          },
        },
      },
    });
    return { base: session.httpUrl ?? '', clock, session };
  }

  test('valid tokens reach the function with claims and scopes; bad ones get 401 and never invoke it', async (t) => {
    const { jwks, sign } = await issuer();
    const { base, clock, session } = await app(t, { file: 'jwks.json' }, jwks);
    const token = await sign({ sub: 'u-1', aud: AUDIENCE, scope: 'read admin', groups: ['a', 'b'] }, clock.now());

    const ok = await call(base, 'GET', '/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    const event = json(ok) as Json;
    APIGatewayProxyEventV2Schema.parse(event);
    assert.equal(event.requestContext.authorizer.jwt.claims.sub, 'u-1');
    assert.equal(event.requestContext.authorizer.jwt.claims.groups, '[a b]', 'claims arrive as strings');
    assert.deepEqual(event.requestContext.authorizer.jwt.scopes, ['read', 'admin']);
    assert.equal(
      (await call(base, 'GET', '/me', { headers: { authorization: token } })).status,
      200,
      'Bearer is optional',
    );

    const invocationsBefore = session.runtime.records.list({ functionName: 'echo' }).length;
    const missing = await call(base, 'GET', '/me');
    assert.equal(missing.status, 401);
    assert.deepEqual(json(missing), { message: 'Unauthorized' });

    const { sign: otherSigner } = await issuer();
    const forged = await otherSigner({ sub: 'u-1', aud: AUDIENCE }, clock.now());
    const wrongAudience = await sign({ sub: 'u-1', aud: 'someone-else' }, clock.now());
    const viaClientId = await sign({ sub: 'u-1', client_id: AUDIENCE }, clock.now());
    const expiring = await sign({ sub: 'u-1', aud: AUDIENCE }, clock.now(), { expiresInS: 60 });
    for (const bad of [forged, wrongAudience, 'not.a.jwt']) {
      const reply = await call(base, 'GET', '/me', { headers: { authorization: `Bearer ${bad}` } });
      assert.equal(reply.status, 401, bad);
      assert.match(String(reply.headers['www-authenticate']), /invalid_token/);
    }
    assert.equal((await call(base, 'GET', '/me', { headers: { authorization: viaClientId } })).status, 200);
    assert.equal((await call(base, 'GET', '/me', { headers: { authorization: expiring } })).status, 200);
    clock.advance(61_000);
    const expired = await call(base, 'GET', '/me', { headers: { authorization: expiring } });
    assert.equal(expired.status, 401);
    assert.match(String(expired.headers['www-authenticate']), /expired/);
    assert.equal(
      session.runtime.records.list({ functionName: 'echo' }).length,
      invocationsBefore + 2,
      'only the two authorised requests ran the function',
    );
  });

  test('route scopes: any one of them is enough, none is 403; auth "none" opts a route out', async (t) => {
    const { jwks, sign } = await issuer();
    const { base, clock } = await app(t, { file: 'jwks.json' }, jwks);
    const reader = await sign({ sub: 'r', aud: AUDIENCE, scope: 'read' }, clock.now());
    const root = await sign({ sub: 'x', aud: AUDIENCE, scp: ['root'] }, clock.now());
    const denied = await call(base, 'GET', '/admin', { headers: { authorization: reader } });
    assert.equal(denied.status, 403);
    assert.deepEqual(json(denied), { message: 'Forbidden' });
    assert.equal((await call(base, 'GET', '/admin', { headers: { authorization: root } })).status, 200);
    assert.equal((await call(base, 'GET', '/public')).status, 200);
  });

  test('keys from a JWKS URL', async (t) => {
    const { jwks, sign } = await issuer();
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup(t, () => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const { base, clock } = await app(t, { url: `http://127.0.0.1:${port}/.well-known/jwks.json` }, '{}');
    const token = await sign({ sub: 'u', aud: AUDIENCE }, clock.now());
    assert.equal((await call(base, 'GET', '/me', { headers: { authorization: token } })).status, 200);
  });
});

describe('Lambda REQUEST authorizers', () => {
  // The authorizer hands its own event back in the context, so the test can check its shape.
  const authorizer = (simple: boolean) => `
export const handler = async (event) => {
  const token = (event.headers.authorization ?? event.headers.Authorization ?? '');
  if (token === 'throw') throw new Error('Unauthorized');
  if (token === 'crash') throw new Error('database down');
  if (token === 'garbage') return { what: 'no' };
  const context = { user: 'u-' + token, seen: JSON.stringify(event) };
  ${
    simple
      ? "return { isAuthorized: token.startsWith('allow'), context };"
      : `const arn = event.methodArn ?? event.routeArn;
  const base = arn.split('/').slice(0, 2).join('/');
  return {
    principalId: 'p-' + token,
    policyDocument: { Version: '2012-10-17', Statement: [
      { Action: 'execute-api:Invoke', Effect: token.startsWith('allow') ? 'Allow' : 'Deny', Resource: base + '/GET/*' },
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: base + '/GET/secret' },
    ] },
    context,
  };`
  }
};`;

  async function app(
    t: import('node:test').TestContext,
    type: 'http' | 'rest',
    settings: Record<string, unknown>,
    simple: boolean,
  ) {
    const clock = new ManualClock(Date.now());
    const { session } = await startDevApp(t, {
      clock,
      functions: { echo: { handler: 'echo.handler' }, gatekeeper: { handler: 'gatekeeper.handler' } },
      files: { 'echo.mjs': echo, 'gatekeeper.mjs': authorizer(simple) },
      config: {
        http: {
          type,
          authorizers: { gate: { type: 'lambda', function: 'gatekeeper', ...settings } },
          auth: { authorizer: 'gate' },
          routes: { 'GET /orders/{id}': 'echo', 'GET /secret': 'echo' },
        },
      },
    });
    const calls = () => session.runtime.records.list({ functionName: 'gatekeeper' }).length;
    return { base: session.httpUrl ?? '', clock, calls, session };
  }

  test('HTTP API, payload 2.0 simple responses: context reaches the function; the cache honours its TTL', async (t) => {
    const { base, clock, calls } = await app(
      t,
      'http',
      { payloadFormatVersion: '2.0', enableSimpleResponses: true, resultTtlSeconds: 60 },
      true,
    );
    const ok = await call(base, 'GET', '/orders/7', { headers: { authorization: 'allow-1' } });
    assert.equal(ok.status, 200);
    const event = json(ok) as Json;
    APIGatewayProxyEventV2Schema.parse(event);
    assert.equal(event.requestContext.authorizer.lambda.user, 'u-allow-1');
    const seen = JSON.parse(event.requestContext.authorizer.lambda.seen) as Json;
    APIGatewayRequestAuthorizerEventV2Schema.parse(seen);
    assert.equal(seen.type, 'REQUEST');
    assert.deepEqual(seen.identitySource, ['allow-1']);
    assert.match(seen.routeArn, /^arn:aws:execute-api:us-east-1:000000000000:tributary\/\$default\/GET\/orders\/7$/);

    assert.equal(calls(), 1);
    await call(base, 'GET', '/orders/8', { headers: { authorization: 'allow-1' } });
    assert.equal(calls(), 1, 'the cached answer served the second request');
    clock.advance(61_000);
    await call(base, 'GET', '/orders/8', { headers: { authorization: 'allow-1' } });
    assert.equal(calls(), 2, 'after the TTL the authorizer runs again');

    const refused = await call(base, 'GET', '/orders/7', { headers: { authorization: 'nope' } });
    assert.equal(refused.status, 403);
    assert.deepEqual(json(refused), { message: 'Forbidden' });
    const missing = await call(base, 'GET', '/orders/7');
    assert.equal(missing.status, 401, 'a missing identity source is refused without calling the authorizer');
    assert.equal(calls(), 3);
    assert.equal((await call(base, 'GET', '/orders/7', { headers: { authorization: 'throw' } })).status, 401);
    const crash = await call(base, 'GET', '/orders/7', { headers: { authorization: 'crash' } });
    assert.equal(crash.status, 500);
    assert.deepEqual(json(crash), { message: 'Internal Server Error' });
    assert.equal((await call(base, 'GET', '/orders/7', { headers: { authorization: 'garbage' } })).status, 500);
  });

  test('REST API, payload 1.0 IAM policies: Allow, explicit Deny, principalId and context in the event', async (t) => {
    const { base, calls } = await app(t, 'rest', { payloadFormatVersion: '1.0', resultTtlSeconds: 0 }, false);
    const ok = await call(base, 'GET', '/orders/7', { headers: { Authorization: 'allow-2' } });
    assert.equal(ok.status, 200);
    const event = json(ok) as Json;
    APIGatewayProxyEventSchema.parse(event);
    assert.equal(event.requestContext.authorizer.principalId, 'p-allow-2');
    assert.equal(event.requestContext.authorizer.user, 'u-allow-2');
    const seen = JSON.parse(event.requestContext.authorizer.seen) as Json;
    APIGatewayRequestAuthorizerEventSchema.parse(seen);
    assert.equal(seen.methodArn, 'arn:aws:execute-api:us-east-1:000000000000:tributary/dev/GET/orders/7');

    const deny = await call(base, 'GET', '/secret', { headers: { Authorization: 'allow-2' } });
    assert.equal(deny.status, 403);
    assert.deepEqual(json(deny), { Message: 'User is not authorized to access this resource with an explicit deny' });
    assert.equal((await call(base, 'GET', '/orders/7', { headers: { Authorization: 'deny' } })).status, 403);
    assert.equal((await call(base, 'GET', '/orders/7', { headers: { Authorization: 'throw' } })).status, 401);
    const crash = await call(base, 'GET', '/orders/7', { headers: { Authorization: 'crash' } });
    assert.equal(crash.status, 500);
    assert.deepEqual(json(crash), { message: null });
    assert.equal(calls(), 5, 'TTL 0: every request asks the authorizer');
  });
});

describe('REST API keys and usage plans', () => {
  test('x-api-key required, throttled per key, counted against the quota per period', async (t) => {
    const clock = new ManualClock(Date.parse('2026-03-10T12:00:00Z'));
    const { session } = await startDevApp(t, {
      clock,
      functions: { echo: { handler: 'echo.handler' } },
      files: { 'echo.mjs': echo },
      config: {
        http: {
          type: 'rest',
          usagePlans: {
            basic: { throttle: { rateLimit: 1, burstLimit: 2 }, quota: { limit: 3, period: 'DAY' } },
          },
          apiKeys: { partner: { value: 'partner-key-0123456789', usagePlan: 'basic' } },
          routes: { 'GET /reports': { function: 'echo', apiKeyRequired: true }, 'GET /open': 'echo' },
        },
      },
    });
    const base = session.httpUrl ?? '';
    const key = { 'x-api-key': 'partner-key-0123456789' };
    assert.equal((await call(base, 'GET', '/open')).status, 200);
    const missing = await call(base, 'GET', '/reports');
    assert.equal(missing.status, 403);
    assert.deepEqual(json(missing), { message: 'Forbidden' });
    assert.equal(
      (await call(base, 'GET', '/reports', { headers: { 'x-api-key': 'partner-key-0123456780' } })).status,
      403,
    );

    const first = await call(base, 'GET', '/reports', { headers: key });
    assert.equal(first.status, 200);
    const identity = (json(first) as Json).requestContext.identity;
    assert.equal(identity.apiKey, 'partner-key-0123456789');
    assert.equal(identity.apiKeyId, 'partner');
    assert.equal((await call(base, 'GET', '/reports', { headers: key })).status, 200);
    const throttled = await call(base, 'GET', '/reports', { headers: key });
    assert.equal(throttled.status, 429, 'the burst of 2 is spent');
    assert.deepEqual(json(throttled), { message: 'Too Many Requests' });
    clock.advance(1_000);
    assert.equal((await call(base, 'GET', '/reports', { headers: key })).status, 200, 'a token refilled');
    clock.advance(5_000);
    const quota = await call(base, 'GET', '/reports', { headers: key });
    assert.equal(quota.status, 429, 'the daily quota of 3 is spent');
    assert.deepEqual(json(quota), { message: 'Limit Exceeded' });
    clock.advance(12 * 3600_000);
    assert.equal((await call(base, 'GET', '/reports', { headers: key })).status, 200, 'a new day, a new quota');
  });
});
