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

export type MainToEnvironment = InvokeMessage;

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
  | { readonly type: 'fatal'; readonly error: ErrorDocument };
