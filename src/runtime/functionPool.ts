import { pathToFileURL } from 'node:url';
import { type CompiledModule, CompileFailure, compileModule } from '../compile/compileModule.js';
import { LAMBDA } from '../model/awsLimits.js';
import type { FunctionConfig } from '../model/functionSchema.js';
import type { Clock, Timer } from '../shared/clock.js';
import { newShortId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import { Environment, type EnvironmentOptions } from './environment/environment.js';
import { type ErrorDocument, runtimeError } from './environment/errorDocument.js';
import type { EnvironmentBudget } from './environmentBudget.js';
import { findHandlerFile, parseHandler } from './handlerLocation.js';
import { functionEnvironment } from './reservedEnvironment.js';

export interface FunctionPoolOptions {
  readonly functionName: string;
  readonly config: FunctionConfig;
  readonly appDir: string;
  readonly region: string;
  /** Where compiled TypeScript handlers are written. */
  readonly buildDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** An idle environment is stopped after this long without an invocation. */
  readonly idleTimeoutMs: number;
  readonly onEnvironment?: (change: 'created' | 'destroyed', environmentId: string) => void;
  readonly endpointUrl?: string;
  /** The process-wide cap on environments, shared by every function's pool. */
  readonly budget?: EnvironmentBudget;
  /** Serves calls an environment makes to other functions over its channel. */
  readonly onCall?: EnvironmentOptions['onCall'];
}

/** An environment handed out for one invocation. */
export type AcquiredEnvironment =
  | { readonly kind: 'warm'; readonly environment: Environment }
  | { readonly kind: 'cold'; readonly environment: Environment; readonly initDurationMs: number }
  /** Init failed: the invocation reports `error`; the environment is already gone. */
  | {
      readonly kind: 'init-error';
      readonly error: ErrorDocument;
      readonly initDurationMs: number;
      readonly log: string[];
    };

interface IdleEnvironment {
  readonly environment: Environment;
  readonly reaper: Timer;
}

/**
 * The execution environments of one function: warm ones are reused (most recent first, so a steady load
 * keeps few warm), new ones are made on demand (a cold start), idle ones are stopped after a while, and all
 * are replaced when the function's code changes.
 */
export class FunctionPool {
  readonly functionName: string;
  private readonly options: FunctionPoolOptions;
  private idle: IdleEnvironment[] = [];
  private readonly busy = new Map<Environment, number>();
  private generation = 0;
  private module: Promise<CompiledModule | ErrorDocument> | undefined;
  private sources: readonly string[] = [];
  private disposed = false;

  constructor(options: FunctionPoolOptions) {
    this.options = options;
    this.functionName = options.functionName;
  }

  /** The app's files this function's code is made of (known after its first compile). */
  get sourceFiles(): readonly string[] {
    return this.sources;
  }

  /** Environments alive now (idle and busy). */
  get size(): number {
    return this.idle.length + this.busy.size;
  }

  /** The most recently used idle environment, if any (synchronous: the warm path takes no extra tick). */
  takeWarm(): AcquiredEnvironment | undefined {
    const warm = this.idle.pop();
    if (warm === undefined) return undefined;
    warm.reaper.cancel();
    this.busy.set(warm.environment, this.generation);
    return { kind: 'warm', environment: warm.environment };
  }

  /** Starts a new environment: Lambda's cold start (Init). */
  async startCold(): Promise<AcquiredEnvironment> {
    const generation = this.generation;
    const module = await this.compiled();
    if ('errorType' in module) return { kind: 'init-error', error: module, initDurationMs: 0, log: [] };
    // Init Duration counts from here: compiling is a once-per-code-change step, like bundling at deploy time.
    const started = performance.now();
    await this.options.budget?.acquire();
    let environment: Environment;
    try {
      environment = this.start(module);
    } catch (error) {
      this.options.budget?.release();
      throw error;
    }
    const initError = await this.awaitInit(environment);
    const initDurationMs = performance.now() - started;
    if (initError !== undefined) {
      const log = environment.takeLog();
      await this.destroy(environment);
      return { kind: 'init-error', error: initError, initDurationMs, log };
    }
    this.busy.set(environment, generation);
    return { kind: 'cold', environment, initDurationMs };
  }

  /** Returns an environment after an invocation; it is kept warm only if it is healthy and current. */
  release(environment: Environment, healthy: boolean): void {
    const generation = this.busy.get(environment);
    this.busy.delete(environment);
    const roomWanted = this.options.budget?.wanted === true;
    if (!healthy || environment.dead || generation !== this.generation || this.disposed || roomWanted) {
      void this.destroy(environment);
      return;
    }
    const reaper = this.options.clock.setTimer(this.options.idleTimeoutMs, () => {
      this.idle = this.idle.filter((entry) => entry.environment !== environment);
      void this.destroy(environment);
    });
    this.idle.push({ environment, reaper });
  }

  /** The code changed: compile again on next use, stop idle environments, retire busy ones when they finish. */
  invalidate(): void {
    this.generation += 1;
    this.module = undefined;
    this.stopIdle();
  }

  /** Stops every idle environment; busy ones are stopped as they are released. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(this.stopIdle());
  }

  /** Stops busy environments too; for shutdown after draining gave up. */
  async destroyAll(): Promise<void> {
    await Promise.all([...this.busy.keys()].map((environment) => this.destroy(environment)));
    await this.dispose();
  }

  private stopIdle(): Promise<void>[] {
    const stopping = this.idle.map((entry) => {
      entry.reaper.cancel();
      return this.destroy(entry.environment);
    });
    this.idle = [];
    return stopping;
  }

  private async destroy(environment: Environment): Promise<void> {
    try {
      await environment.destroy();
    } finally {
      this.options.budget?.release();
    }
    this.options.onEnvironment?.('destroyed', environment.id);
  }

  /** Stops the least recently used idle environment, if any (to make room under the environment ceiling). */
  evictIdle(): boolean {
    const oldest = this.idle.shift();
    if (oldest === undefined) return false;
    oldest.reaper.cancel();
    void this.destroy(oldest.environment);
    return true;
  }

  private start(module: CompiledModule): Environment {
    const { functionName, config, appDir, region } = this.options;
    const date = new Date(this.options.clock.now()).toISOString().slice(0, 10).replaceAll('-', '/');
    const logStreamName = `${date}/[$LATEST]${newShortId(16)}`;
    const location = parseHandler(appDir, config.handler);
    const environment = new Environment({
      init: {
        moduleUrl: pathToFileURL(module.file).href,
        exportPath: location.exportPath,
        handlerString: config.handler,
        functionName,
        functionVersion: '$LATEST',
        memoryLimitInMB: config.memorySize,
        logGroupName: `/aws/lambda/${functionName}`,
        logStreamName,
      },
      env: functionEnvironment({
        functionName,
        config,
        region,
        appDir,
        logStreamName,
        endpointUrl: this.options.endpointUrl,
      }),
      memorySizeMb: config.memorySize,
      ...(this.options.onCall === undefined ? {} : { onCall: this.options.onCall }),
    });
    this.options.onEnvironment?.('created', environment.id);
    return environment;
  }

  /** Init is limited to 10 s, as on Lambda. */
  private awaitInit(environment: Environment): Promise<ErrorDocument | undefined> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(LAMBDA.initTimeoutMs, () =>
        resolve(
          runtimeError(
            'Sandbox.Timedout',
            `Error: Init timed out after ${(LAMBDA.initTimeoutMs / 1000).toFixed(2)} seconds`,
          ),
        ),
      );
      void environment.ready.then((error) => {
        timer.cancel();
        resolve(error);
      });
    });
  }

  /** The compiled module, cached per code generation; failures are not cached (the user is likely fixing them). */
  private async compiled(): Promise<CompiledModule | ErrorDocument> {
    this.module ??= this.compile();
    const module = await this.module;
    if ('errorType' in module) this.module = undefined;
    return module;
  }

  private async compile(): Promise<CompiledModule | ErrorDocument> {
    const location = parseHandler(this.options.appDir, this.options.config.handler);
    const file = findHandlerFile(location);
    if (file === undefined) {
      this.sources = [];
      return runtimeError('Runtime.ImportModuleError', `Error: Cannot find module '${location.moduleName}'`);
    }
    try {
      const compiled = await compileModule(file, `${this.options.buildDir}/${this.functionName}`);
      this.sources = compiled.sourceFiles;
      return compiled;
    } catch (error) {
      this.sources = [file];
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ functionName: this.functionName, error: message }, 'handler failed to compile');
      if (error instanceof CompileFailure && error.unresolved)
        return runtimeError('Runtime.ImportModuleError', `Error: ${message}`);
      return runtimeError('Runtime.UserCodeSyntaxError', `SyntaxError: ${message}`);
    }
  }
}
