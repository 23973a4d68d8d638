import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { unmarshall } from '@aws-sdk/util-dynamodb';

const firehose = new FirehoseClient({});

interface StreamRecord {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Record<string, AttributeValue>;
    NewImage?: Record<string, AttributeValue>;
    SequenceNumber: string;
  };
}

/**
 * The event-driven half of the Data Lake: the `orders` table's stream invokes this with batches of changes, and
 * each change becomes one JSON record in the `order_changes` delivery stream, queryable with SQL once delivered.
 * Records Firehose refuses are reported back (`ReportBatchItemFailures`), so only they are retried.
 */
export const handler = async (event: { Records: StreamRecord[] }) => {
  const rows = event.Records.map((record) => {
    const keys = unmarshall(record.dynamodb.Keys);
    const image = record.dynamodb.NewImage === undefined ? {} : unmarshall(record.dynamodb.NewImage);
    return {
      change: record.eventName,
      customer_id: keys.customerId,
      order_id: keys.orderId,
      status: image.status ?? null,
      items: Array.isArray(image.items) ? image.items.length : 0,
      at: new Date(record.dynamodb.ApproximateCreationDateTime * 1000).toISOString(),
    };
  });
  const answer = await firehose.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: 'order_changes',
      Records: rows.map((row) => ({ Data: Buffer.from(`${JSON.stringify(row)}\n`) })),
    }),
  );
  const failed = (answer.RequestResponses ?? []).flatMap((response, index) =>
    response.ErrorCode === undefined ? [] : [{ itemIdentifier: event.Records[index]?.dynamodb.SequenceNumber ?? '' }],
  );
  return { batchItemFailures: failed };
};
