import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

const orders = DynamoDBDocumentClient.from(new DynamoDBClient({}));

interface OrderEvent {
  orderId: string;
  customerId: string;
  items: unknown[];
}

/**
 * The L2 behind `POST /orders` that records the order in the `orders` table. The condition makes a retried
 * invocation (Lambda retries async events) a no-op instead of a second write, so the table's stream carries one
 * INSERT per order.
 */
export const handler = async (event: OrderEvent) => {
  try {
    await orders.send(
      new PutCommand({
        TableName: 'orders',
        Item: {
          customerId: event.customerId,
          orderId: event.orderId,
          items: event.items,
          status: 'placed',
          placedAt: new Date().toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(orderId)',
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
  return { recorded: event.orderId };
};
