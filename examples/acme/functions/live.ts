import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

const lambda = new LambdaClient({});
const decoder = new TextDecoder();

interface MessageEvent {
  body?: string;
  requestContext: { connectionId: string; domainName: string; stage: string };
}

/**
 * The management API's endpoint: on AWS `https://<domainName>/<stage>`; locally Tributary's AWS endpoint
 * (functions get it as AWS_ENDPOINT_URL), which serves `@connections` too.
 */
function managementEndpoint(context: MessageEvent['requestContext']): string {
  const local = process.env.AWS_ENDPOINT_URL;
  return local === undefined ? `https://${context.domainName}/${context.stage}` : `${local}/${context.stage}`;
}

/**
 * WebSocket route `overview`: a long-running aggregation that reports back as it goes. Each L2x answer is pushed
 * to the client the moment it arrives (through the `@connections` API), then a final `done` message; the client
 * never waits on one long HTTP request.
 */
export const handler = async (event: MessageEvent) => {
  const { customerId } = JSON.parse(event.body ?? '{}') as { customerId?: string };
  const connections = new ApiGatewayManagementApiClient({ endpoint: managementEndpoint(event.requestContext) });
  const push = (message: unknown) =>
    connections.send(
      new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: JSON.stringify(message) }),
    );
  if (customerId === undefined) {
    await push({ error: 'send {"action":"overview","customerId":"c-42"}' });
    return { statusCode: 400 };
  }
  const branches = (process.env.BRANCH_FUNCTIONS ?? '').split(',').filter(Boolean);
  await Promise.all(
    branches.map(async (branch) => {
      const response = await lambda.send(
        new InvokeCommand({ FunctionName: branch, Payload: JSON.stringify({ customerId }) }),
      );
      const value: unknown = response.Payload === undefined ? null : JSON.parse(decoder.decode(response.Payload));
      await push({ branch, ...(response.FunctionError === undefined ? { value } : { error: value }) });
    }),
  );
  await push({ done: true, customerId, branches: branches.length });
  return { statusCode: 200 };
};
