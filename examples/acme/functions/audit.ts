import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

// Path-style addressing works with any endpoint, the local one included.
const s3 = new S3Client({ forcePathStyle: true });

interface AuditEvent {
  customerId: string;
  viewed: string[];
}

interface Context {
  awsRequestId: string;
}

/**
 * Write-only: records who looked at which customer, as an object in the audit bucket. Invoked asynchronously,
 * so a failure here never slows the overview; Lambda retries it and, after the last attempt, the event goes
 * to the `audit-dlq` queue.
 */
export const handler = async (event: AuditEvent, context: Context) => {
  const key = `audit/customer=${event.customerId}/${new Date().toISOString()}-${context.awsRequestId}.json`;
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
