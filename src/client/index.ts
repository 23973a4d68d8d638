/**
 * `tributary/client`: client-side aggregation for browsers and Node — several API routes called in parallel with
 * per-call timeouts and retries, merged into one result. It imports nothing from Node.
 */
export {
  type Aggregate,
  type AggregateOptions,
  AggregationError,
  aggregate,
  type CallOutcome,
  type ClientTimers,
  type RouteCall,
} from './aggregate.js';
export { RETRYABLE_STATUS, retryDelayMs } from './retryDelay.js';
