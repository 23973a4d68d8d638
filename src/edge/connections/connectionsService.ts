import type { ConnectionRegistry } from '../../gateway/websocket/connectionRegistry.js';
import { WEBSOCKET } from '../../model/awsLimits.js';
import { type EdgeRequest, type EdgeResponse, type EdgeService, json } from '../edgeMessage.js';
import { restJsonError } from '../restJsonErrors.js';

/** `/@connections/{id}` or `/{stage}/@connections/{id}`; connection ids are base64, so `=`, `+` and `/` occur. */
const CONNECTION_PATH = /^(?:\/[^/@]+)?\/@connections\/(.+)$/;

const gone = (id: string): EdgeResponse => restJsonError(410, 'GoneException', `Connection ${id} is gone`);

/**
 * API Gateway's `@connections` management API, so `ApiGatewayManagementApiClient` works unchanged:
 * PostToConnection (POST, the body is the message), GetConnection (GET) and DeleteConnection (DELETE); 410
 * GoneException for a connection that is closed or never was. The connection registry belongs to the running
 * WebSocket API; without one every connection is gone.
 *
 * @example
 * new ConnectionsService(() => websocketGateway?.registry);
 */
export class ConnectionsService implements EdgeService {
  readonly name = 'execute-api';
  private readonly registry: () => ConnectionRegistry | undefined;

  constructor(registry: () => ConnectionRegistry | undefined) {
    this.registry = registry;
  }

  matches(request: EdgeRequest): boolean {
    return CONNECTION_PATH.test(request.path);
  }

  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    const id = CONNECTION_PATH.exec(request.path)?.[1] ?? '';
    const registry = this.registry();
    switch (request.method) {
      case 'POST': {
        if (request.body.length > WEBSOCKET.maxMessageBytes)
          return restJsonError(
            413,
            'PayloadTooLargeException',
            `Message is larger than ${WEBSOCKET.maxMessageBytes} bytes`,
          );
        const outcome = registry?.post(id, request.body) ?? 'gone';
        return outcome === 'gone' ? gone(id) : { status: 200 };
      }
      case 'GET': {
        const info = registry?.info(id);
        if (info === undefined) return gone(id);
        // The wire names are camelCase (API Gateway's JSON), the SDK's shapes PascalCase.
        return json(200, {
          connectedAt: new Date(info.connectedAt).toISOString(),
          identity: { sourceIp: info.sourceIp, ...(info.userAgent === undefined ? {} : { userAgent: info.userAgent }) },
          lastActiveAt: new Date(info.lastActiveAt).toISOString(),
        });
      }
      case 'DELETE':
        return registry?.disconnect(id) === true ? { status: 204 } : gone(id);
      default:
        return restJsonError(405, 'ForbiddenException', `${request.method} is not a @connections operation`);
    }
  }
}
