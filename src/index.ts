/**
 * Tributary's public API: `defineApp` for `tributary.config.ts`, and the module APIs the CLI is built on.
 */

export { DevSession, type DevSessionOptions } from './dev/devSession.js';
export type { AppConfig, AppModel, Limits } from './model/appSchema.js';
export { LAMBDA, LAMBDA_ASYNC, LAMBDA_PRICE_USD } from './model/awsLimits.js';
export { defineApp, parseApp } from './model/defineApp.js';
export type { AsyncConfig, Destination, FunctionConfig, FunctionInput } from './model/functionSchema.js';
export { type LoadedApp, loadApp } from './model/loadApp.js';
export {
  FunctionRuntime,
  type FunctionRuntimeOptions,
  type InvokeRequest,
  type InvokeResult,
} from './runtime/functionRuntime.js';
export type { InvocationOutcome, InvocationRecord, InvocationType } from './runtime/invocationRecord.js';
export { type Clock, ManualClock, SystemClock, type Timer } from './shared/clock.js';
export { ERROR_CODES, type ErrorCode } from './shared/errorCodes.js';
export { createLogger, type Logger, silentLogger } from './shared/logger.js';
export { isTributaryError, TributaryError } from './shared/tributaryError.js';
