/**
 * `tributary/aggregate`: helpers for an Aggregator's entry-point (L1) function. They call other functions through
 * the Lambda API, so the same handler runs here and on AWS.
 */
export {
  BRANCH_IDEMPOTENCY_KEY_PATH,
  BranchFailure,
  type BranchOutcome,
  type BranchSpec,
  type FanOutOptions,
  type FanOutResult,
  fanOut,
  type LambdaSender,
  type RemainingTime,
} from './fanOut.js';
