import { isJsonObject } from '../../shared/jsonObject.js';
import type { LocalTables } from '../../tables/localTables.js';
import type { EdgeRequest, EdgeResponse, EdgeService } from '../edgeMessage.js';

/** DynamoDB and DynamoDB Streams speak AWS JSON 1.0. */
const AWS_JSON_10 = 'application/x-amz-json-1.0';
const TABLES_PREFIX = 'DynamoDB_20120810.';
const STREAMS_PREFIX = 'DynamoDBStreams_20120810.';

function answer(status: number, body: Record<string, unknown>): EdgeResponse {
  const type = typeof body.__type === 'string' ? body.__type : undefined;
  return {
    status,
    headers: {
      'content-type': AWS_JSON_10,
      ...(type === undefined ? {} : { 'x-amzn-errortype': type.slice(type.indexOf('#') + 1) }),
    },
    body: JSON.stringify(body),
  };
}

const failure = (type: string, message: string): EdgeResponse =>
  answer(400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

/**
 * DynamoDB and DynamoDB Streams on the local endpoint, so `@aws-sdk/client-dynamodb`, `lib-dynamodb`'s
 * DocumentClient, `@aws-sdk/client-dynamodb-streams` and Powertools' idempotency layer work unchanged.
 *
 * @example
 * new DynamoDbService(() => session.tables);
 */
export class DynamoDbService implements EdgeService {
  readonly name = 'dynamodb';
  private readonly tables: () => LocalTables | undefined;

  constructor(tables: () => LocalTables | undefined) {
    this.tables = tables;
  }

  matches(request: EdgeRequest): boolean {
    const target = request.headers['x-amz-target'];
    return target?.startsWith(TABLES_PREFIX) === true || target?.startsWith(STREAMS_PREFIX) === true;
  }

  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    const target = request.headers['x-amz-target'] ?? '';
    const streams = target.startsWith(STREAMS_PREFIX);
    const operation = target.slice(streams ? STREAMS_PREFIX.length : TABLES_PREFIX.length);
    let input: unknown;
    try {
      input = JSON.parse(request.body.toString('utf8') || '{}');
    } catch {
      return answer(400, { __type: 'com.amazon.coral.service#SerializationException' });
    }
    if (!isJsonObject(input)) return answer(400, { __type: 'com.amazon.coral.service#SerializationException' });
    const tables = this.tables();
    if (tables === undefined) return failure('ResourceNotFoundException', 'Requested resource not found');
    const result = streams ? await tables.handleStreams(operation, input) : await tables.handle(operation, input);
    if (result === undefined)
      return answer(400, {
        __type: 'com.amazon.coral.service#UnknownOperationException',
        message: `Tributary does not emulate ${streams ? 'DynamoDB Streams' : 'DynamoDB'} ${operation}`,
      });
    return answer(result.status, result.body);
  }
}
