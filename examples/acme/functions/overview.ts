import { LambdaClient } from '@aws-sdk/client-lambda';
import { type BranchSpec, fanOut } from 'tributary/aggregate';
import { customerIdFrom } from './lib/customerId.js';
import { idempotentEntryPoint, type LambdaContext } from './lib/idempotent.js';

// Created once per execution environment (Init) and reused while it stays warm, as on AWS.
const lambda = new LambdaClient({});

interface OverviewEvent {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
}

/**
 * L1: the customer overview. `fanOut` invokes the four L2x in parallel through the Lambda API, each within what is
 * left of this function's own time minus a safety margin, and merges what they return; a failed branch is reported
 * under `errors`, not fatal (every branch here is optional). With an `Idempotency-Key` header the request is
 * idempotent (Powertools, in the `idempotency` table): a retry gets the stored answer, and a retry after a partial
 * failure re-runs only the branches that had not finished. `?mode=async` is the same work served asynchronously:
 * the branches are queued (Event invokes) and the answer is 202 at once — what `tributary report` and
 * `npm run demo:concurrency` compare with the sync and client-side ways.
 */
export const handler = idempotentEntryPoint(async (event: OverviewEvent, context: LambdaContext) => {
  const customerId = customerIdFrom(event);
  const names = (process.env.BRANCH_FUNCTIONS ?? '').split(',').filter(Boolean);
  const branches: Record<string, BranchSpec> = Object.fromEntries(
    names.map((name) => [name, { function: name, payload: { customerId }, required: false }]),
  );
  const idempotencyKey = event.headers?.['idempotency-key'];
  const mode = event.queryStringParameters?.mode === 'async' ? 'async' : 'sync';
  const { values, outcomes } = await fanOut(branches, context, {
    lambda,
    mode,
    safetyMarginMs: 500,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  });
  if (mode === 'async') return { statusCode: 202, body: JSON.stringify({ customerId, queued: Object.keys(outcomes) }) };
  const errors = Object.fromEntries(
    Object.entries(outcomes).flatMap(([name, outcome]) => (outcome.ok ? [] : [[name, outcome.error]])),
  );
  // Write-only work goes asynchronously: Lambda answers 202 once the event is queued, and retries it on its own.
  const audit = process.env.AUDIT_FUNCTION;
  if (audit !== undefined)
    await fanOut({ audit: { function: audit, payload: { customerId, viewed: names }, required: false } }, context, {
      lambda,
      mode: 'async',
    });
  const overview = { customerId, ...values };
  return Object.keys(errors).length === 0 ? overview : { ...overview, errors };
});
