import type { JsonObject } from '../shared/jsonObject.js';
import type { DynamoAnswer } from './dynaliteEngine.js';

/** A DynamoDB service error (`ResourceNotFoundException`, `TransactionCanceledException`, …) as the wire carries it. */
export const dynamoError = (type: string, message: string, extra: JsonObject = {}): DynamoAnswer => ({
  status: 400,
  body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra },
});

/** A request that breaks DynamoDB's rules: `ValidationException`, as the service names it. */
export const validationError = (message: string): DynamoAnswer => ({
  status: 400,
  body: { __type: 'com.amazon.coral.validate#ValidationException', message },
});
