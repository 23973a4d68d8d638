import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { invokeJson, startRuntime } from '../helpers/tempApp.js';

const REPORTER = `export const handler = async (event, context) => ({
  context: {
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    clientContext: context.clientContext,
    identity: context.identity,
    remaining: context.getRemainingTimeInMillis(),
  },
  env: { ...process.env },
  tzOffset: new Date(0).getTimezoneOffset(),
});`;

interface Report {
  context: Record<string, unknown> & { remaining: number };
  env: Record<string, string>;
}

describe('context and environment', () => {
  test('every Node.js context field, with remaining time from the deadline', async (t) => {
    const { runtime } = await startRuntime(t, {
      config: { region: 'eu-west-1' },
      functions: { reporter: { handler: 'r.handler', memorySize: 512, timeout: 7 } },
      files: { 'r.mjs': REPORTER },
    });
    const result = await runtime.invoke({
      functionName: 'reporter',
      clientContext: { client: { app_title: 'acme' }, custom: { k: 'v' } },
      identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
    });
    const { context } = JSON.parse(result.payload) as Report;
    assert.equal(context.awsRequestId, result.requestId);
    assert.equal(context.functionName, 'reporter');
    assert.equal(context.functionVersion, '$LATEST');
    assert.equal(context.invokedFunctionArn, 'arn:aws:lambda:eu-west-1:000000000000:function:reporter');
    assert.equal(context.memoryLimitInMB, '512');
    assert.equal(context.logGroupName, '/aws/lambda/reporter');
    assert.match(String(context.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(context.callbackWaitsForEmptyEventLoop, true);
    assert.deepEqual(context.clientContext, { client: { app_title: 'acme' }, custom: { k: 'v' } });
    assert.deepEqual(context.identity, { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' });
    assert.ok(context.remaining <= 7000 && context.remaining > 6000, `remaining ${context.remaining}`);
  });

  test('the invoked ARN shows the qualifier used', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { reporter: { handler: 'r.handler' } },
      files: { 'r.mjs': REPORTER },
    });
    const result = await runtime.invoke({ functionName: 'reporter:$LATEST' });
    const { context } = JSON.parse(result.payload) as Report;
    assert.equal(context.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:reporter:$LATEST');
  });

  test("Lambda's reserved variables plus the function's own, and nothing from the host", async (t) => {
    process.env.TRIBUTARY_HOST_SECRET = 'must-not-leak';
    t.after(() => delete process.env.TRIBUTARY_HOST_SECRET);
    const { runtime, dir } = await startRuntime(t, {
      functions: { reporter: { handler: 'r.handler', memorySize: 256, environment: { TABLE: 'orders' } } },
      files: { 'r.mjs': REPORTER },
    });
    const { env } = (await invokeJson(runtime, 'reporter')).body as Report;
    assert.equal(env.TABLE, 'orders');
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'reporter');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/reporter');
    assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME ?? '', /\[\$LATEST\]/);
    assert.equal(env.AWS_REGION, 'us-east-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.equal(env._HANDLER, 'r.handler');
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.LANG, 'en_US.UTF-8');
    assert.equal(env.LAMBDA_TASK_ROOT, dir);
    assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN);
    assert.match(env._X_AMZN_TRACE_ID ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    assert.equal(env.TRIBUTARY_HOST_SECRET, undefined);
  });

  test("one function's environment never leaks into another's, even when a handler writes process.env", async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: {
        a: { handler: 'a.handler', environment: { ONLY_A: 'a' } },
        b: { handler: 'b.handler', environment: { ONLY_B: 'b' } },
      },
      files: {
        'a.mjs': 'export const handler = async () => { process.env.WRITTEN_BY_A = "x"; return { ...process.env }; };',
        'b.mjs': 'export const handler = async () => ({ ...process.env });',
      },
    });
    const a = (await invokeJson(runtime, 'a')).body as Record<string, string>;
    const b = (await invokeJson(runtime, 'b')).body as Record<string, string>;
    assert.equal(a.ONLY_A, 'a');
    assert.equal(b.ONLY_A, undefined);
    assert.equal(b.WRITTEN_BY_A, undefined);
    assert.equal(process.env.WRITTEN_BY_A, undefined);
    assert.equal(a.ONLY_B, undefined);
  });

  test('memorySize bounds the heap: allocating past it ends the environment with Runtime.OutOfMemory', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { hog: { handler: 'h.handler', memorySize: 128 } },
      files: {
        'h.mjs':
          'const kept = [];\nexport const handler = async () => { for (;;) kept.push(new Array(1e6).fill(Math.random())); };',
      },
    });
    const { body, functionError, result } = await invokeJson(runtime, 'hog');
    assert.equal(functionError, 'Unhandled');
    assert.equal((body as { errorType: string }).errorType, 'Runtime.OutOfMemory');
    assert.equal(result.record?.outcome, 'crash');
  });
});
