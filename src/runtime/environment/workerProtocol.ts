import type { ErrorDocument } from './errorDocument.js';

/** What an environment is started with (its `workerData`). */
export interface EnvironmentInit {
  /** file: URL of the module to import. */
  readonly moduleUrl: string;
  /** The export to call; dots reach into nested objects, as in `index.handlers.get`. */
  readonly exportPath: string;
  /** The handler string as configured, for AWS's error messages (`src/index.handler`). */
  readonly handlerString: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: number;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** One invocation, sent to an idle environment. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  /** The event as JSON text; parsed inside the environment, so each invocation gets its own objects. */
  readonly payload: string;
  /** Deadline in the platform clock's timeline (ms). */
  readonly deadlineMs: number;
  /** Platform clock minus this thread's wall clock at dispatch, so the environment can read the deadline. */
  readonly clockOffsetMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId: string;
  readonly clientContext?: unknown;
  readonly identity?: unknown;
}

/** A function invoked from inside an environment over its channel (what `tributary/aggregate` uses locally). */
export interface PlatformCall {
  readonly functionName: string;
  readonly payload: string;
  readonly invocationType: 'RequestResponse' | 'Event';
}

/** How a platform call ended: Invoke's answer, or the error Invoke itself failed with (a throttle, a bad name). */
export type PlatformAnswer =
  | {
      readonly ok: true;
      readonly statusCode: number;
      readonly payload: string;
      readonly functionError: string | undefined;
    }
  | { readonly ok: false; readonly errorType: string; readonly message: string; readonly status: number };

export type MainToEnvironment =
  | InvokeMessage
  | ({ readonly type: 'call-result'; readonly callId: number } & { readonly answer: PlatformAnswer });

export type EnvironmentToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: ErrorDocument }
  | { readonly type: 'log'; readonly text: string }
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly ok: true;
      readonly payload: string;
      readonly memoryUsedMb: number;
    }
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly ok: false;
      readonly error: ErrorDocument;
      readonly memoryUsedMb: number;
    }
  /** An uncaught exception or unhandled rejection: the environment reports it, then exits. */
  | { readonly type: 'fatal'; readonly error: ErrorDocument }
  | { readonly type: 'call'; readonly callId: number; readonly call: PlatformCall };
