import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({ forcePathStyle: true });

interface OrderStepEvent {
  orderId: string;
  customerId: string;
  items: unknown[];
}

/**
 * The write-only L2s behind `POST /orders` (`reserveStock`, `notifyShipping`): each records its step as an object,
 * as a real one would write to its own store. Run asynchronously, so Lambda retries them on failure.
 */
export const handler = async (event: OrderStepEvent) => {
  const step = process.env.STEP ?? 'step';
  const key = `orders/${event.orderId}/${step}.json`;
  await s3.send(
    new PutObjectCommand({
      Bucket: 'acme-audit',
      Key: key,
      Body: JSON.stringify(event),
      ContentType: 'application/json',
    }),
  );
  return { stored: key };
};
