import { Worker } from 'node:worker_threads';
import { newShortId } from '../../shared/ids.js';
import { type ErrorDocument, runtimeError } from './errorDocument.js';
import type {
  EnvironmentInit,
  EnvironmentToMain,
  InvokeMessage,
  MainToEnvironment,
  PlatformAnswer,
  PlatformCall,
} from './workerProtocol.js';

/** How one invocation in an environment ended. */
export type EnvironmentOutcome =
  | { readonly kind: 'result'; readonly ok: true; readonly payload: string; readonly memoryUsedMb: number }
  | { readonly kind: 'result'; readonly ok: false; readonly error: ErrorDocument; readonly memoryUsedMb: number }
  /** The environment died (uncaught error, process.exit, out of memory); it cannot be reused. */
  | { readonly kind: 'crash'; readonly error: ErrorDocument };

export interface EnvironmentOptions {
  readonly init: EnvironmentInit;
  /** The whole environment of the thread: reserved variables plus the function's own, nothing else. */
  readonly env: Readonly<Record<string, string>>;
  readonly memorySizeMb: number;
  /** Serves a function call made from inside the environment; `parentRequestId` is the invocation running then. */
  readonly onCall?: (call: PlatformCall, parentRequestId: string | undefined) => Promise<PlatformAnswer>;
}

// The published package runs the compiled worker.js directly. Running from TypeScript sources (tests, tsx),
// the worker is a .ts file: a small bootstrap registers tsx in the thread first (Node 20 ignores --import in
// a worker's execArgv). Only the sources pay tsx's start-up cost.
const fromSources = import.meta.url.endsWith('.ts');
const workerEntry: string | URL = fromSources
  ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`
  : new URL('./worker.js', import.meta.url);

const unavailable: PlatformAnswer = {
  ok: false,
  errorType: 'ServiceException',
  message: 'The platform could not take the call',
  status: 500,
};

/**
 * One Lambda execution environment: a worker thread that imported the handler once (Init) and serves one
 * invocation at a time, keeping module state between them. Destroyed on timeout, crash or code change.
 *
 * @example
 * const env = new Environment({ init, env: {}, memorySizeMb: 128 });
 * const initError = await env.ready; // undefined when Init succeeded
 * const outcome = await env.invoke(message);
 */
export class Environment {
  readonly id = newShortId(8);
  /** Resolves when Init finished: undefined on success, the error document otherwise. */
  readonly ready: Promise<ErrorDocument | undefined>;
  /** Set once the thread is gone. */
  dead = false;

  private readonly worker: Worker;
  private pendingLog: string[] = [];
  private fatal: ErrorDocument | undefined;
  private onOutcome: ((outcome: EnvironmentOutcome) => void) | undefined;
  private currentRequestId = '';
  private readonly onCall: EnvironmentOptions['onCall'];

  constructor(options: EnvironmentOptions) {
    this.onCall = options.onCall;
    this.worker = new Worker(workerEntry, {
      eval: fromSources,
      workerData: options.init,
      env: { ...options.env },
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: options.memorySizeMb },
      name: `${options.init.functionName}:${this.id}`,
    });
    this.ready = new Promise((resolve) => {
      const onInit = (message: EnvironmentToMain): void => {
        if (message.type === 'ready') resolve(undefined);
        else if (message.type === 'init-error') resolve(message.error);
        else return;
        this.worker.off('message', onInit);
      };
      this.worker.on('message', onInit);
      this.worker.once('exit', () =>
        resolve(this.fatal ?? runtimeError('Runtime.ExitError', 'Runtime exited during init')),
      );
    });
    this.worker.on('message', (message: EnvironmentToMain) => this.receive(message));
    this.worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.fatal = runtimeError(
          'Runtime.OutOfMemory',
          `RequestId: ${this.currentRequestId} Error: Runtime exited with error: signal: killed`,
        );
      } else {
        this.fatal ??= { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
      }
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      const reason =
        code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${code}`;
      this.finish({
        kind: 'crash',
        error: this.fatal ?? runtimeError('Runtime.ExitError', `RequestId: ${this.currentRequestId} Error: ${reason}`),
      });
    });
  }

  /** Runs one invocation. The caller enforces the deadline (by destroying the environment). */
  invoke(message: InvokeMessage): Promise<EnvironmentOutcome> {
    if (this.onOutcome !== undefined) throw new Error(`environment ${this.id} is busy`);
    this.currentRequestId = message.requestId;
    return new Promise((resolve) => {
      this.onOutcome = resolve;
      this.worker.postMessage(message);
    });
  }

  /** Log lines received since the last call (init lines included), in order. */
  takeLog(): string[] {
    const lines = this.pendingLog;
    this.pendingLog = [];
    return lines;
  }

  /** Stops the thread at once, whatever it is doing. */
  async destroy(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private receive(message: EnvironmentToMain): void {
    switch (message.type) {
      case 'log':
        this.pendingLog.push(message.text);
        break;
      case 'fatal':
        this.fatal = message.error;
        break;
      case 'call':
        this.serveCall(message.callId, message.call);
        break;
      case 'result':
        this.finish(
          message.ok
            ? { kind: 'result', ok: true, payload: message.payload, memoryUsedMb: message.memoryUsedMb }
            : { kind: 'result', ok: false, error: message.error, memoryUsedMb: message.memoryUsedMb },
        );
        break;
      default:
        break;
    }
  }

  private serveCall(callId: number, call: PlatformCall): void {
    const parent = this.currentRequestId === '' ? undefined : this.currentRequestId;
    const answered = this.onCall?.(call, parent) ?? Promise.resolve(unavailable);
    void answered
      .catch((): PlatformAnswer => unavailable)
      .then((answer) => {
        if (this.dead) return;
        const message: MainToEnvironment = { type: 'call-result', callId, answer };
        this.worker.postMessage(message);
      });
  }

  private finish(outcome: EnvironmentOutcome): void {
    const resolve = this.onOutcome;
    this.onOutcome = undefined;
    resolve?.(outcome);
  }
}
