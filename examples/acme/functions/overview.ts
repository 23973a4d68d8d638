import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { customerIdFrom } from './lib/customerId.js';

// Created once per execution environment (Init) and reused while it stays warm, as on AWS.
const lambda = new LambdaClient({});
const decoder = new TextDecoder();

interface Context {
  getRemainingTimeInMillis(): number;
}

type Branch = { ok: true; value: unknown } | { ok: false; error: string };

/** Invokes one L2 synchronously through the Lambda API; a function error becomes a failed branch. */
async function invokeBranch(functionName: string, customerId: string, budgetMs: number): Promise<Branch> {
  const response = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify({ customerId }) }),
    { abortSignal: AbortSignal.timeout(budgetMs) },
  );
  const body: unknown = response.Payload === undefined ? null : JSON.parse(decoder.decode(response.Payload));
  if (response.FunctionError !== undefined) return { ok: false, error: JSON.stringify(body) };
  return { ok: true, value: body };
}

/**
 * L1: the customer overview. Invokes the four L2x in parallel, each within what is left of this function's
 * own time minus a safety margin, and merges what they return; a failed branch is reported, not fatal.
 */
export const handler = async (event: unknown, context: Context) => {
  const customerId = customerIdFrom(event);
  const names = (process.env.BRANCH_FUNCTIONS ?? '').split(',').filter(Boolean);
  const budgetMs = Math.max(100, context.getRemainingTimeInMillis() - 500);
  const settled = await Promise.allSettled(names.map((name) => invokeBranch(name, customerId, budgetMs)));
  const overview: Record<string, unknown> = { customerId };
  const errors: Record<string, string> = {};
  settled.forEach((result, index) => {
    const name = names[index] ?? `branch${index}`;
    if (result.status === 'fulfilled' && result.value.ok) overview[name] = result.value.value;
    else
      errors[name] = result.status === 'rejected' ? String(result.reason) : result.value.ok ? '' : result.value.error;
  });
  // Write-only work goes asynchronously: Lambda answers 202 once the event is queued, and retries it on its own.
  const audit = process.env.AUDIT_FUNCTION;
  if (audit !== undefined) {
    await lambda.send(
      new InvokeCommand({
        FunctionName: audit,
        InvocationType: 'Event',
        Payload: JSON.stringify({ customerId, viewed: names }),
      }),
    );
  }
  return Object.keys(errors).length === 0 ? overview : { ...overview, errors };
};
