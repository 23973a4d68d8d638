import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  RequestTooLargeException,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';
import { openGate } from '../helpers/gate.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function client(t: import('node:test').TestContext, endpoint: string): LambdaClient {
  const lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  t.after(() => lambda.destroy());
  return lambda;
}

const files = {
  'echo.mjs':
    'export const handler = async (event, context) => { console.log("echo", JSON.stringify(event)); return { event, clientContext: context.clientContext ?? null }; };',
  'fail.mjs': 'export const handler = async () => { throw new RangeError("out of range"); };',
  'wait.mjs': 'export const handler = async (event) => { await fetch(event.gate); return "done"; };',
  // An L1 that invokes an L2 through the Lambda API, exactly as it would on AWS.
  'l1.mjs': `import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
const lambda = new LambdaClient({});
export const handler = async (event) => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ from: 'l1', n: event.n }) }));
  return { l2: JSON.parse(new TextDecoder().decode(out.Payload)), endpoint: process.env.AWS_ENDPOINT_URL };
};`,
};
const functions = {
  echo: { handler: 'echo.handler' },
  fail: { handler: 'fail.handler' },
  wait: { handler: 'wait.handler', reservedConcurrency: 1 },
  l1: { handler: 'l1.handler', timeout: 10 },
};

describe('Lambda API on the local endpoint (@aws-sdk/client-lambda)', () => {
  test('Invoke (RequestResponse): payload, executed version, log tail, client context', async (t) => {
    const { endpoint } = await startDevApp(t, { functions, files });
    const lambda = client(t, endpoint);
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'acme' } })).toString('base64');
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Payload: encoder.encode('{"a":1}'),
        LogType: 'Tail',
        ClientContext: clientContext,
      }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(JSON.parse(decoder.decode(out.Payload)), {
      event: { a: 1 },
      clientContext: { custom: { tenant: 'acme' } },
    });
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    assert.match(log, /^START RequestId: [0-9a-f-]+ Version: \$LATEST$/m);
    assert.match(log, /\tINFO\techo \{"a":1\}$/m);
    assert.match(log, /^REPORT RequestId: /m);
  });

  test('a function error is a 200 with X-Amz-Function-Error: Unhandled and the error document', async (t) => {
    const { endpoint } = await startDevApp(t, { functions, files });
    const out = await client(t, endpoint).send(new InvokeCommand({ FunctionName: 'fail' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const doc = JSON.parse(decoder.decode(out.Payload)) as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(doc.errorType, 'RangeError');
    assert.equal(doc.errorMessage, 'out of range');
  });

  test('DryRun answers 204; an ARN and Qualifier=$LATEST work', async (t) => {
    const { endpoint } = await startDevApp(t, { functions, files });
    const lambda = client(t, endpoint);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    const byArn = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
        Qualifier: '$LATEST',
        Payload: '[]',
      }),
    );
    assert.deepEqual(JSON.parse(decoder.decode(byArn.Payload)).event, []);
  });

  test("AWS's error types and status codes: unknown function, not JSON, too large, throttled", async (t) => {
    const { endpoint } = await startDevApp(t, { functions, files });
    const lambda = client(t, endpoint);
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'nope' })), (error) => {
      assert.ok(error instanceof ResourceNotFoundException);
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.match(error.message, /Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope/);
      return true;
    });
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '7' })),
      ResourceNotFoundException,
    );
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: encoder.encode('{oops') })),
      (error) => {
        assert.ok(error instanceof InvalidRequestContentException);
        assert.equal(error.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    const big = encoder.encode(JSON.stringify({ b: 'x'.repeat(6 * 1024 * 1024) }));
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: big })), (error) => {
      assert.ok(error instanceof RequestTooLargeException);
      assert.equal(error.$metadata.httpStatusCode, 413);
      assert.match(
        error.message,
        /byte payload is too large for the RequestResponse invocation type \(limit 6291456 bytes\)/,
      );
      return true;
    });

    const gate = await openGate(t);
    const first = lambda.send(new InvokeCommand({ FunctionName: 'wait', Payload: JSON.stringify({ gate: gate.url }) }));
    await gate.arrived(1);
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'wait', Payload: '{}' })), (error) => {
      assert.ok(error instanceof TooManyRequestsException);
      assert.equal(error.$metadata.httpStatusCode, 429);
      assert.equal(error.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      return true;
    });
    gate.release();
    assert.equal(decoder.decode((await first).Payload), '"done"');
  });

  test('a handler invokes another function with new LambdaClient({}) and the records link parent and child', async (t) => {
    const { endpoint, session } = await startDevApp(t, { functions, files });
    const out = await client(t, endpoint).send(new InvokeCommand({ FunctionName: 'l1', Payload: '{"n":7}' }));
    const body = JSON.parse(decoder.decode(out.Payload)) as { l2: { event: unknown }; endpoint: string };
    assert.deepEqual(body.l2.event, { from: 'l1', n: 7 });
    assert.equal(body.endpoint, endpoint);
    const [parent] = session.runtime.records.list({ functionName: 'l1' });
    const [child] = session.runtime.records.list({ functionName: 'echo' });
    assert.ok(parent !== undefined && child !== undefined);
    assert.equal(child.parentRequestId, parent.requestId);
  });

  test('GetFunction and ListFunctions (with paging)', async (t) => {
    const { endpoint } = await startDevApp(t, { functions, files });
    const lambda = client(t, endpoint);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'wait' }));
    assert.equal(got.Configuration?.FunctionName, 'wait');
    assert.equal(got.Configuration?.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:wait');
    assert.equal(got.Configuration?.Handler, 'wait.handler');
    assert.equal(got.Configuration?.Runtime, 'nodejs20.x');
    assert.equal(got.Configuration?.Timeout, 3);
    assert.equal(got.Configuration?.MemorySize, 128);
    assert.ok((got.Configuration?.CodeSize ?? 0) > 0);
    assert.equal(got.Concurrency?.ReservedConcurrentExecutions, 1);
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })), ResourceNotFoundException);

    const page1 = await lambda.send(new ListFunctionsCommand({ MaxItems: 3 }));
    assert.deepEqual(
      page1.Functions?.map((f) => f.FunctionName),
      ['echo', 'fail', 'l1'],
    );
    const page2 = await lambda.send(new ListFunctionsCommand({ MaxItems: 3, Marker: page1.NextMarker }));
    assert.deepEqual(
      page2.Functions?.map((f) => f.FunctionName),
      ['wait'],
    );
    assert.equal(page2.NextMarker, undefined);
  });

  test('an operation Tributary does not emulate fails loudly, naming it', async (t) => {
    const { endpoint } = await startDevApp(t, { functions, files });
    await assert.rejects(
      client(t, endpoint).send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' })),
      (error) => {
        assert.equal((error as { name: string }).name, 'UnsupportedOperationException');
        assert.match(
          (error as Error).message,
          /does not emulate the Lambda operation GET \/2015-03-31\/functions\/echo\/configuration/,
        );
        return true;
      },
    );
  });
});
