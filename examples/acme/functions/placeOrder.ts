import { randomUUID } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { fanOut } from 'tributary/aggregate';

const lambda = new LambdaClient({});

interface OrderEvent {
  body?: string;
}

interface Context {
  getRemainingTimeInMillis(): number;
}

/**
 * `POST /orders`: the asynchronous, write-only Aggregator. It hands the order to each L2 as an Event invoke and
 * answers 202 as soon as Lambda has accepted them all (durably queued); the L2s run afterwards, with Lambda's
 * retries, and the client never waits for them.
 */
export const handler = async (event: OrderEvent, context: Context) => {
  const order = JSON.parse(event.body ?? '{}') as { customerId?: string; items?: unknown[] };
  if (typeof order.customerId !== 'string' || !Array.isArray(order.items))
    return { statusCode: 400, body: JSON.stringify({ message: 'send {"customerId": "...", "items": [...]}' }) };
  const orderId = randomUUID();
  const payload = { orderId, customerId: order.customerId, items: order.items };
  const { outcomes } = await fanOut(
    {
      recordOrder: { function: 'recordOrder', payload },
      reserveStock: { function: 'reserveStock', payload },
      notifyShipping: { function: 'notifyShipping', payload },
    },
    context,
    { lambda, mode: 'async' },
  );
  return { statusCode: 202, body: JSON.stringify({ orderId, accepted: Object.keys(outcomes) }) };
};
