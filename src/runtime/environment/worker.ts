/**
 * The entry point of one execution environment (a worker thread). It runs Lambda's Init (import the handler's
 * module), then one invocation at a time, and reports results, log lines and fatal errors to the main thread.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { callHandler, countActiveResources, type HandlerFunction } from './callHandler.js';
import { consoleCaptureFor } from './consoleTarget.js';
import { toErrorDocument } from './errorDocument.js';
import { loadHandler } from './loadHandler.js';
import { PLATFORM_INVOKE } from './platformInvoke.js';
import type {
  EnvironmentInit,
  EnvironmentToMain,
  InvokeMessage,
  MainToEnvironment,
  PlatformAnswer,
  PlatformCall,
} from './workerProtocol.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts runs only as a worker thread');
const init = workerData as EnvironmentInit;
const send = (message: EnvironmentToMain): void => port.postMessage(message);

process.setSourceMapsEnabled(true);
const invocation = consoleCaptureFor(send);

// An uncaught error or rejection ends the environment, as in Lambda's Node runtime; the main thread resets it.
process.on('uncaughtException', (error) => {
  send({ type: 'fatal', error: toErrorDocument(error) });
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  const document = toErrorDocument(reason);
  send({
    type: 'fatal',
    error: {
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
      ...(document.trace === undefined ? {} : { trace: document.trace }),
    },
  });
  process.exit(1);
});

// Calls to other functions over this environment's channel (tributary/aggregate's local transport).
const calls = new Map<number, (answer: PlatformAnswer) => void>();
let nextCall = 0;
(globalThis as Record<symbol, unknown>)[PLATFORM_INVOKE] = (call: PlatformCall): Promise<PlatformAnswer> =>
  new Promise((resolve) => {
    nextCall += 1;
    calls.set(nextCall, resolve);
    send({ type: 'call', callId: nextCall, call });
  });

// Listen before user code loads, so the port counts in the baseline of resources that are ours.
let handler: HandlerFunction | undefined;
port.on('message', (message: MainToEnvironment) => {
  if (message.type === 'call-result') {
    const resolve = calls.get(message.callId);
    calls.delete(message.callId);
    resolve?.(message.answer);
  } else if (handler !== undefined) invoke(handler, message);
});
const baseline = countActiveResources();

function invoke(run: HandlerFunction, message: InvokeMessage): void {
  invocation.requestId = message.requestId;
  process.env._X_AMZN_TRACE_ID = message.traceId;
  let event: unknown;
  try {
    event = JSON.parse(message.payload);
  } catch {
    event = message.payload;
  }
  const fields = {
    functionName: init.functionName,
    functionVersion: init.functionVersion,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: init.memoryLimitInMB,
    awsRequestId: message.requestId,
    logGroupName: init.logGroupName,
    logStreamName: init.logStreamName,
    identity: message.identity,
    clientContext: message.clientContext,
    remainingMs: () => message.deadlineMs - (Date.now() + message.clockOffsetMs),
  };
  void callHandler(run, event, fields, baseline).then((outcome) => {
    invocation.requestId = undefined;
    const memoryUsedMb = Math.ceil(getHeapStatistics().used_heap_size / (1024 * 1024));
    send({ type: 'result', requestId: message.requestId, memoryUsedMb, ...outcome });
  });
}

const loaded = await loadHandler(init.moduleUrl, init.exportPath, init.handlerString);
if (typeof loaded === 'function') {
  handler = loaded;
  send({ type: 'ready' });
} else {
  send({ type: 'init-error', error: loaded });
}
