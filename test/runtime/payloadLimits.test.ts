import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTributaryError } from '../../src/shared/tributaryError.js';
import { startRuntime } from '../helpers/tempApp.js';

const ECHO = 'export const handler = async (event) => event.size ? "x".repeat(event.size) : event;';

function awsError(type: string, status: number, message: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isTributaryError(error), String(error));
    assert.equal(error.aws?.type, type);
    assert.equal(error.aws?.status, status);
    assert.match(error.message, message);
    return true;
  };
}

describe('payload limits and invoke errors', () => {
  test('a sync request over 6 MB: RequestTooLargeException 413', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'e.handler' } }, files: { 'e.mjs': ECHO } });
    const payload = JSON.stringify({ blob: 'x'.repeat(6 * 1024 * 1024) });
    await assert.rejects(
      runtime.invoke({ functionName: 'f', payload }),
      awsError(
        'RequestTooLargeException',
        413,
        new RegExp(
          `^${payload.length} byte payload is too large for the RequestResponse invocation type \\(limit 6291456 bytes\\)$`,
        ),
      ),
    );
  });

  test('a request of exactly 6 MB is accepted', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'e.handler' } },
      files: { 'e.mjs': 'export const handler = async () => "ok";' },
    });
    const filler = 6 * 1024 * 1024 - JSON.stringify({ b: '' }).length;
    const result = await runtime.invoke({ functionName: 'f', payload: JSON.stringify({ b: 'x'.repeat(filler) }) });
    assert.equal(result.payload, '"ok"');
  });

  test('an async request over 1 MB: 413 with the Event wording', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'e.handler' } }, files: { 'e.mjs': ECHO } });
    await assert.rejects(
      runtime.invoke({
        functionName: 'f',
        invocationType: 'Event',
        payload: JSON.stringify({ b: 'x'.repeat(1024 * 1024) }),
      }),
      awsError('RequestTooLargeException', 413, /too large for the Event invocation type \(limit 1048576 bytes\)/),
    );
  });

  test('a response over 6 MB: Function.ResponseSizeTooLarge, as a function error', async (t) => {
    const { runtime } = await startRuntime(t, {
      functions: { f: { handler: 'e.handler', memorySize: 512 } },
      files: { 'e.mjs': ECHO },
    });
    const result = await runtime.invoke({ functionName: 'f', payload: JSON.stringify({ size: 6 * 1024 * 1024 }) });
    assert.equal(result.statusCode, 200);
    assert.equal(result.functionError, 'Unhandled');
    assert.deepEqual(JSON.parse(result.payload), {
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
  });

  test('a body that is not JSON: InvalidRequestContentException 400', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'e.handler' } }, files: { 'e.mjs': ECHO } });
    await assert.rejects(
      runtime.invoke({ functionName: 'f', payload: '{not json' }),
      awsError('InvalidRequestContentException', 400, /^Could not parse request body into json/),
    );
  });

  test('an empty payload is the event {}', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'e.handler' } }, files: { 'e.mjs': ECHO } });
    assert.equal((await runtime.invoke({ functionName: 'f', payload: '' })).payload, '{}');
  });

  test('an unknown function or qualifier: ResourceNotFoundException 404 with the ARN', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'e.handler' } }, files: { 'e.mjs': ECHO } });
    await assert.rejects(
      runtime.invoke({ functionName: 'nope' }),
      awsError(
        'ResourceNotFoundException',
        404,
        /^Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope$/,
      ),
    );
    await assert.rejects(
      runtime.invoke({ functionName: 'f', qualifier: '3' }),
      awsError('ResourceNotFoundException', 404, /function:f:3$/),
    );
  });

  test('a full ARN works as the function name', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'e.handler' } }, files: { 'e.mjs': ECHO } });
    const result = await runtime.invoke({
      functionName: 'arn:aws:lambda:us-east-1:000000000000:function:f',
      payload: '[1]',
    });
    assert.equal(result.payload, '[1]');
  });

  test('DryRun validates and answers 204 without running anything', async (t) => {
    const { runtime } = await startRuntime(t, { functions: { f: { handler: 'e.handler' } }, files: { 'e.mjs': ECHO } });
    const result = await runtime.invoke({ functionName: 'f', invocationType: 'DryRun' });
    assert.equal(result.statusCode, 204);
    assert.equal(runtime.records.list().length, 0);
    assert.equal(runtime.pool('f')?.size, 0);
  });
});
