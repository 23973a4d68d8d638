import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseApp } from '../../src/model/defineApp.js';
import { isTributaryError } from '../../src/shared/tributaryError.js';

function problemsOf(config: unknown): string {
  try {
    parseApp(config, 'tributary.config.ts');
  } catch (error) {
    assert.ok(isTributaryError(error, 'ERR_CONFIG_INVALID'), `expected ERR_CONFIG_INVALID, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the config to be rejected');
}

describe('parseApp', () => {
  test("fills in AWS's defaults", () => {
    const model = parseApp({ name: 'acme', functions: { hello: { handler: 'src/hello.handler' } } });
    assert.equal(model.region, 'us-east-1');
    assert.equal(model.limits.accountConcurrency, 1000);
    assert.deepEqual(model.functions.hello, {
      handler: 'src/hello.handler',
      runtime: 'nodejs20.x',
      architecture: 'x86_64',
      memorySize: 128,
      timeout: 3,
      environment: {},
      async: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21600 },
      events: [],
    });
  });

  test("tables and stream event sources: Lambda's defaults, and references checked", () => {
    const model = parseApp({
      name: 'acme',
      tables: { orders: { partitionKey: { name: 'id' }, stream: 'NEW_IMAGE' } },
      functions: { fn: { handler: 'a.handler', events: [{ stream: 'orders', startingPosition: 'LATEST' }] } },
    });
    assert.deepEqual(model.functions.fn?.events[0], {
      stream: 'orders',
      startingPosition: 'LATEST',
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      parallelizationFactor: 1,
      functionResponseTypes: [],
      enabled: true,
    });
    const shape = problemsOf({
      name: 'acme',
      tables: { x: { partitionKey: { name: 'id' } } },
      functions: {
        fn: {
          handler: 'a.handler',
          events: [{ stream: 'x', startingPosition: 'TRIM_HORIZON', batchSize: 20_000, maximumRecordAgeInSeconds: 5 }],
        },
      },
    });
    assert.match(shape, /tables\.x/);
    assert.match(shape, /batchSize/);
    assert.match(shape, /maximumRecordAgeInSeconds.*-1 or between 60 and 604800/);
    const references = problemsOf({
      name: 'acme',
      tables: { plain: { partitionKey: { name: 'id' } } },
      functions: {
        fn: {
          handler: 'a.handler',
          events: [
            { stream: 'plain', startingPosition: 'LATEST', onFailure: { bucket: 'nope' } },
            { stream: 'missing', startingPosition: 'TRIM_HORIZON' },
          ],
        },
      },
    });
    assert.match(references, /functions\.fn\.events\[0\]\.stream.*table without a stream/);
    assert.match(references, /functions\.fn\.events\[0\]\.onFailure\.bucket.*names no bucket/);
    assert.match(references, /functions\.fn\.events\[1\]\.stream.*names no table/);
  });

  test('returns an immutable model', () => {
    const model = parseApp({ name: 'acme', functions: { hello: { handler: 'hello.handler' } } });
    assert.throws(() => {
      (model.functions.hello as { timeout: number }).timeout = 9;
    }, TypeError);
  });

  test('accepts the edges of every range', () => {
    const model = parseApp({
      name: 'a',
      limits: { accountConcurrency: 200 },
      functions: {
        low: {
          handler: 'a.h',
          memorySize: 128,
          timeout: 1,
          reservedConcurrency: 0,
          async: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
        },
        high: {
          handler: 'a.h',
          memorySize: 10240,
          timeout: 900,
          reservedConcurrency: 100,
          async: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21600 },
        },
      },
    });
    assert.equal(model.functions.high?.timeout, 900);
  });

  test('lists every problem in one error, each with its path and what is allowed', () => {
    const message = problemsOf({
      name: '1bad',
      region: 'mars',
      functions: {
        orders: { handler: 'nodot', memorySize: 64, timeout: 901, runtime: 'nodejs16.x', timout: 3 },
        invoices: { handler: 'i.handler', async: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 59 } },
      },
    });
    const expected = [
      /name: must start with a letter.*\(got "1bad"\)/,
      /region: must be an AWS Region code.*\(got "mars"\)/,
      /functions\.orders\.handler: must be "path\/file\.exportName"/,
      /functions\.orders\.memorySize: .*>=128.*\(got 64\)/,
      /functions\.orders\.timeout: .*<=900.*\(got 901\)/,
      /functions\.orders\.runtime: .*"nodejs20\.x".*"nodejs22\.x".*\(got "nodejs16\.x"\)/,
      /functions\.orders\.timout: is not a known setting/,
      /functions\.invoices\.async\.maximumRetryAttempts: .*<=2.*\(got 3\)/,
      /functions\.invoices\.async\.maximumEventAgeInSeconds: .*>=60.*\(got 59\)/,
    ];
    for (const pattern of expected) assert.match(message, pattern);
    assert.match(message, /has 9 problems/);
  });

  test('names a missing required setting', () => {
    assert.match(problemsOf({ functions: {} }), /name: .*\(missing\)/);
    assert.match(problemsOf({ name: 'a', functions: { f: {} } }), /functions\.f\.handler: .*\(missing\)/);
  });

  test('rejects environment keys Lambda reserves, bad key syntax and more than 4 KB', () => {
    const message = problemsOf({
      name: 'a',
      functions: {
        f: { handler: 'a.h', environment: { AWS_REGION: 'x', '1X': 'y' } },
        g: { handler: 'a.h', environment: { BIG: 'x'.repeat(4096) } },
      },
    });
    assert.match(message, /functions\.f\.environment\.AWS_REGION: is a key Lambda reserves/);
    assert.match(message, /functions\.f\.environment\.1X: must start with a letter/);
    assert.match(message, /functions\.g\.environment: total size .* at most 4096 bytes/);
  });

  test('keeps 100 of the account limit unreserved', () => {
    const message = problemsOf({
      name: 'a',
      limits: { accountConcurrency: 300 },
      functions: { f: { handler: 'a.h', reservedConcurrency: 150 }, g: { handler: 'a.h', reservedConcurrency: 51 } },
    });
    assert.match(message, /functions: reserved concurrency adds up to 201, but at most 200 may be reserved/);
  });

  test('checks that destinations name functions of the app', () => {
    const message = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h', async: { onFailure: { function: 'nope' } } } },
    });
    assert.match(message, /functions\.f\.async\.onFailure\.function: names no function of this app/);
    const ok = parseApp({
      name: 'a',
      functions: {
        f: { handler: 'a.h', async: { onFailure: { function: 'g' }, onSuccess: { queue: 'q' } } },
        g: { handler: 'a.h' },
      },
    });
    assert.deepEqual(ok.functions.f?.async.onFailure, { function: 'g' });
  });

  test('checks the http section: route keys and greedy parameters', () => {
    const message = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      http: { routes: { 'FETCH /x': 'f', 'GET /{p+}/more': 'f' } },
    });
    assert.match(message, /http\.routes\.FETCH \/x: must be "\$default" or "METHOD \/path"/);
    assert.match(message, /http\.routes\.GET \/\{p\+\}\/more: a greedy \{name\+\} parameter must be the last segment/);
  });

  test('checks the http section across fields: targets, timeouts by API type, payload version, CORS', () => {
    // Cross-field rules run once the shape is valid (zod skips refinements on invalid input).
    const message = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      http: {
        type: 'rest',
        payloadFormatVersion: '2.0',
        integrationTimeoutMs: 30_000,
        cors: { allowOrigins: ['*'], allowCredentials: true },
        routes: { 'GET /y': 'nope' },
      },
    });
    assert.match(message, /http\.integrationTimeoutMs: must be at most 29000 for a REST API/);
    assert.match(message, /http\.payloadFormatVersion: is an HTTP API setting; a REST API has its own event format/);
    assert.match(message, /http\.cors\.allowOrigins: cannot be '\*' when allowCredentials is true/);
    const targets = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      http: { routes: { 'GET /y': 'nope' } },
    });
    assert.match(targets, /http\.routes\.GET \/y\.function: names no function of this app/);
    const ok = parseApp({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      http: { routes: { $default: 'f', 'GET /x': { function: 'f' } } },
    });
    assert.equal(ok.http?.type, 'http');
    assert.deepEqual(ok.http?.routes.$default, { function: 'f' });
  });

  test('checks the lake section: buckets, tables, Firehose prefix and buffering rules, route streams', () => {
    const message = problemsOf({
      name: 'a',
      functions: {},
      http: { routes: { 'POST /in': { stream: 'missing' } } },
      lake: {
        buckets: ['lake'],
        tables: { t: { bucket: 'other', columns: { a: 'string' } } },
        streams: {
          p: { bucket: 'lake', format: 'parquet', buffering: { sizeInMBs: 5, intervalInSeconds: 60 } },
          d: {
            bucket: 'nope',
            prefix: 'x/!{partitionKeyFromQuery:dept}/',
            dynamicPartitioning: { keys: { team: '.team' } },
            buffering: { sizeInMBs: 5, intervalInSeconds: 0 },
          },
          e: { bucket: 'lake', prefix: 'y/!{timestamp:yyyy}/', errorOutputPrefix: 'errors/' },
          f: {
            bucket: 'lake',
            prefix: 'z/!{firehose:error-output-type}/',
            errorOutputPrefix: '!{firehose:error-output-type}/',
          },
        },
      },
    });
    assert.match(message, /lake\.tables\.t\.bucket: is not one of lake\.buckets/);
    assert.match(message, /lake\.streams\.p\.buffering\.sizeInMBs: must be at least 64/);
    assert.match(message, /lake\.streams\.p\.table: is required for Parquet/);
    assert.match(message, /lake\.streams\.d\.bucket: is not one of lake\.buckets/);
    assert.match(message, /lake\.streams\.d\.prefix: uses partition key "dept"/);
    assert.match(message, /lake\.streams\.d\.buffering\.intervalInSeconds: cannot be 0 with dynamic partitioning/);
    assert.match(message, /lake\.streams\.d\.errorOutputPrefix: is required when prefix has expressions/);
    assert.match(message, /lake\.streams\.e\.errorOutputPrefix: must contain !\{firehose:error-output-type\}/);
    assert.match(message, /lake\.streams\.f\.prefix: may not contain !\{firehose:error-output-type\}/);
    assert.match(message, /http\.routes\.POST \/in\.stream: names no delivery stream/);
    const shape = problemsOf({
      name: 'a',
      lake: { buckets: ['Bad_Bucket'], tables: { t: { bucket: 'lake', columns: { a: 'varchar' } } } },
    });
    assert.match(shape, /lake\.buckets\[0\]: must be an S3 bucket name/);
    assert.match(shape, /lake\.tables\.t\.columns\.a: must be a Glue column type/);
    const ok = parseApp({ name: 'a', lake: { buckets: ['lake'], streams: { s: { bucket: 'lake' } } } });
    assert.deepEqual(ok.lake?.streams.s?.buffering, { sizeInMBs: 5, intervalInSeconds: 300 });
    assert.equal(ok.lake?.streams.s?.quota.recordsPerSecond, 500_000);
    assert.equal(ok.lake?.store, 'local');
  });

  test('checks the websocket section: route keys, targets, expression, limits', () => {
    const shape = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      websocket: {
        routeSelectionExpression: '$request.header.x',
        routes: { 'bad key!': 'f' },
        idleTimeoutSeconds: 601,
      },
    });
    assert.match(shape, /websocket\.routeSelectionExpression: must be \$request\.body\.<field>/);
    assert.match(shape, /websocket\.routes\.bad key!: must be \$connect/);
    assert.match(shape, /websocket\.idleTimeoutSeconds/);
    const targets = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      websocket: { routes: { $connect: 'nope' }, authorizer: { function: 'gone' } },
    });
    assert.match(targets, /websocket\.routes\.\$connect\.function: names no function of this app/);
    assert.match(targets, /websocket\.authorizer\.function: names no function of this app/);
    const ok = parseApp({ name: 'a', functions: { f: { handler: 'a.h' } }, websocket: { routes: { send: 'f' } } });
    assert.equal(ok.websocket?.routeSelectionExpression, '$request.body.action');
    assert.equal(ok.websocket?.idleTimeoutSeconds, 600);
    assert.equal(ok.websocket?.maxConnectionSeconds, 7200);
    assert.deepEqual(ok.websocket?.routes.send, { function: 'f', returnResponse: false });
  });

  test('checks authorizers, route auth, API keys and usage plans against the API type', () => {
    const rest = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      http: {
        type: 'rest',
        authorizers: {
          jwt: { type: 'jwt', issuer: 'https://i', audience: ['a'], jwks: { file: 'k.json' } },
          lam: { type: 'lambda', function: 'missing', payloadFormatVersion: '2.0', enableSimpleResponses: true },
        },
        auth: { authorizer: 'nobody' },
        apiKeys: { k: { value: 'short', usagePlan: 'p' }, k2: { value: 'a-long-enough-key-value', usagePlan: 'gone' } },
        routes: { 'GET /y': { function: 'f', auth: { authorizer: 'lam', scopes: ['s'] } } },
      },
    });
    assert.match(rest, /http\.apiKeys\.k\.value: .*20/);
    const crossField = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      http: {
        type: 'rest',
        authorizers: {
          jwt: { type: 'jwt', issuer: 'https://i', audience: ['a'], jwks: { file: 'k.json' } },
          lam: { type: 'lambda', function: 'missing', payloadFormatVersion: '2.0', enableSimpleResponses: true },
        },
        auth: { authorizer: 'nobody' },
        apiKeys: { k2: { value: 'a-long-enough-key-value', usagePlan: 'gone' } },
        routes: { 'GET /y': { function: 'f', auth: { authorizer: 'lam', scopes: ['s'] } } },
      },
    });
    assert.match(crossField, /http\.authorizers\.jwt\.type: JWT authorizers belong to HTTP APIs/);
    assert.match(crossField, /http\.authorizers\.lam\.payloadFormatVersion: a REST API's authorizer gets payload 1\.0/);
    assert.match(crossField, /http\.auth\.authorizer: names no authorizer/);
    assert.match(crossField, /http\.routes\.GET \/y\.auth\.scopes: scopes apply to JWT authorizers only/);
    assert.match(crossField, /http\.apiKeys\.k2\.usagePlan: names no usage plan/);
    assert.match(crossField, /http\.authorizers\.lam\.function: names no function of this app/);
    const httpKeys = problemsOf({
      name: 'a',
      functions: { f: { handler: 'a.h' } },
      http: { routes: { 'GET /y': { function: 'f', apiKeyRequired: true } } },
    });
    assert.match(httpKeys, /http\.routes\.GET \/y\.apiKeyRequired: API keys belong to REST APIs/);
  });

  test('rejects function names Lambda would not accept', () => {
    assert.match(
      problemsOf({ name: 'a', functions: { 'bad name': { handler: 'a.h' } } }),
      /functions\.bad name: must be 1-64/,
    );
  });
});
