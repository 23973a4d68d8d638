import { isJsonObject, type JsonObject } from '../shared/jsonObject.js';
import type { DynaliteEngine, DynamoAnswer } from './dynaliteEngine.js';
import type { TableWriter } from './tableWriter.js';

/**
 * BatchWriteItem: validated whole by the engine (25 requests, no duplicate keys, sizes), then each put or delete
 * runs as its own write with its own stream record, as on DynamoDB (a batch is not a transaction). Every request
 * is processed locally, so `UnprocessedItems` is always empty.
 */
export async function batchWriteItem(
  engine: DynaliteEngine,
  writer: TableWriter,
  input: JsonObject,
): Promise<DynamoAnswer> {
  const invalid = engine.validate('BatchWriteItem', input);
  if (invalid !== undefined) return invalid;
  const writes: Promise<DynamoAnswer>[] = [];
  for (const [table, requests] of Object.entries(input.RequestItems as JsonObject)) {
    for (const request of requests as JsonObject[]) {
      if (isJsonObject(request.PutRequest))
        writes.push(writer.putItem({ TableName: table, Item: request.PutRequest.Item }));
      else if (isJsonObject(request.DeleteRequest))
        writes.push(writer.deleteItem({ TableName: table, Key: request.DeleteRequest.Key }));
    }
  }
  const answers = await Promise.all(writes);
  const failed = answers.find((answer) => answer.status !== 200);
  return failed ?? { status: 200, body: { UnprocessedItems: {} } };
}
