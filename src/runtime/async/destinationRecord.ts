/** Why an asynchronous invocation's record was sent. */
export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The function's last answer to an event, when it ran at all. */
export interface LastResponse {
  readonly payload: string;
  readonly functionError: string | undefined;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Lambda's invocation record, what destinations receive (SQS/SNS message body, Lambda payload, S3 object):
 * `{version, timestamp, requestContext, requestPayload, responseContext, responsePayload}`.
 * `EventAgeExceeded` and `Success` conditions are UNCONFIRMED against AWS's docs (only `RetriesExhausted` is shown).
 */
export function destinationRecord(input: {
  readonly requestId: string;
  readonly functionArn: string;
  readonly condition: DestinationCondition;
  readonly approximateInvokeCount: number;
  readonly requestPayload: string;
  readonly response: LastResponse | undefined;
  readonly timestamp: number;
}): Record<string, unknown> {
  const record: Record<string, unknown> = {
    version: '1.0',
    timestamp: new Date(input.timestamp).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: `${input.functionArn}:$LATEST`,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    requestPayload: parsed(input.requestPayload),
  };
  if (input.response !== undefined) {
    record.responseContext = {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(input.response.functionError === undefined ? {} : { functionError: input.response.functionError }),
    };
    record.responsePayload = parsed(input.response.payload);
  }
  return record;
}
