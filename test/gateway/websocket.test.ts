import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { APIGatewayProxyWebsocketEventSchema } from '@aws-lambda-powertools/parser/schemas';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocket from 'ws';
import { ManualClock } from '../../src/shared/clock.js';
import { cleanup } from '../helpers/cleanup.js';
import { startDevApp, TEST_CREDENTIALS } from '../helpers/devApp.js';

// biome-ignore lint/suspicious/noExplicitAny: events are checked field by field and by Powertools' schemas
type Json = Record<string, any>;

/** Integration events carry neither the authorizer's `type` nor `methodArn`, and messages carry no header maps. */
const WebSocketIntegrationEventSchema = APIGatewayProxyWebsocketEventSchema.omit({
  type: true,
  methodArn: true,
}).partial({ multiValueHeaders: true, queryStringParameters: true, multiValueQueryStringParameters: true });

// Handlers write the events they get next to themselves, so the test can read them.
const record = (name: string) => `
import { writeFileSync, mkdirSync } from 'node:fs';
const dir = new URL('./events/', import.meta.url);
const save = (event) => { mkdirSync(dir, { recursive: true }); writeFileSync(new URL('${name}-' + event.requestContext.connectionId.replace(/[^A-Za-z0-9]/g, '_') + '.json', dir), JSON.stringify(event)); };
`;
const files = {
  'connect.mjs': `${record('connect')}
export const handler = async (event) => {
  save(event);
  if (event.queryStringParameters?.deny) return { statusCode: 403 };
  return { statusCode: 200 };
};`,
  'disconnect.mjs': `${record('disconnect')}
export const handler = async (event) => { save(event); return { statusCode: 200 }; };`,
  'echo.mjs': `
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
const client = new ApiGatewayManagementApiClient({ endpoint: process.env.AWS_ENDPOINT_URL + '/' + 'dev' });
export const handler = async (event) => {
  await client.send(new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: JSON.stringify(event) }));
  return { statusCode: 200 };
};`,
  'fallback.mjs': `export const handler = async (event) => ({ statusCode: 200, body: 'default got ' + (event.isBase64Encoded ? 'binary ' : '') + event.body });`,
  'authorizer.mjs': `${record('authorizer')}
export const handler = async (event) => {
  save(event);
  const token = event.headers['x-token'];
  if (token === 'throw') throw new Error('Unauthorized');
  return { principalId: 'user-' + token, context: { tier: 'gold' }, policyDocument: { Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: token === 'ok' ? 'Allow' : 'Deny', Resource: event.methodArn }] } };
};`,
};
const functions = {
  connect: { handler: 'connect.handler' },
  disconnect: { handler: 'disconnect.handler' },
  echo: { handler: 'echo.handler' },
  fallback: { handler: 'fallback.handler' },
  authorizer: { handler: 'authorizer.handler' },
};

async function startWs(t: import('node:test').TestContext, websocket: Record<string, unknown>, clock?: ManualClock) {
  const { session, dir, endpoint } = await startDevApp(t, {
    functions,
    files,
    config: { websocket },
    ...(clock === undefined ? {} : { clock }),
  });
  const url = session.websocketUrl ?? '';
  const management = new ApiGatewayManagementApiClient({
    endpoint: `${endpoint}/dev`,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  cleanup(t, () => management.destroy());
  const eventOf = async (kind: string, connectionId: string): Promise<Json> =>
    JSON.parse(
      await readFile(join(dir, 'events', `${kind}-${connectionId.replace(/[^A-Za-z0-9]/g, '_')}.json`), 'utf8'),
    ) as Json;
  return { url, management, eventOf, session };
}

/** A connected client with a queue of received messages. */
async function connect(t: import('node:test').TestContext, url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  cleanup(t, () => socket.terminate());
  const messages: string[] = [];
  const waiting: ((m: string) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    const next = waiting.shift();
    if (next === undefined) messages.push(text);
    else next(text);
  });
  await once(socket, 'open');
  const next = (): Promise<string> => {
    const queued = messages.shift();
    return queued === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(queued);
  };
  return { socket, next };
}

/** The status an upgrade was refused with. */
async function refusedWith(url: string, headers: Record<string, string> = {}): Promise<number> {
  const socket = new WebSocket(url, { headers });
  socket.on('error', () => undefined);
  const [request, response] = (await once(socket, 'unexpected-response')) as [
    { destroy(): void },
    { statusCode: number; resume(): void },
  ];
  response.resume();
  request.destroy();
  return response.statusCode;
}

const routes = { $connect: 'connect', $disconnect: 'disconnect', sendmessage: 'echo' };

describe('WebSocket API over real sockets', () => {
  test('$connect, custom routes by $request.body.action, $default with a route response, $disconnect', async (t) => {
    const { url, eventOf, management, session } = await startWs(t, {
      routes: { ...routes, $default: { function: 'fallback', returnResponse: true } },
    });
    const client = await connect(t, `${url}/?room=blue`, { 'x-client': 'test' });

    client.socket.send(JSON.stringify({ action: 'sendmessage', text: 'hi' }));
    const message = JSON.parse(await client.next()) as Json;
    WebSocketIntegrationEventSchema.parse(message);
    assert.equal(message.requestContext.eventType, 'MESSAGE');
    assert.equal(message.requestContext.routeKey, 'sendmessage');
    assert.equal(message.body, JSON.stringify({ action: 'sendmessage', text: 'hi' }));
    const connectionId = message.requestContext.connectionId as string;

    const connected = await eventOf('connect', connectionId);
    WebSocketIntegrationEventSchema.parse(connected);
    assert.equal(connected.requestContext.eventType, 'CONNECT');
    assert.equal(connected.requestContext.routeKey, '$connect');
    assert.equal(connected.headers['x-client'], 'test');
    assert.deepEqual(connected.queryStringParameters, { room: 'blue' });

    client.socket.send('not json at all');
    assert.equal(await client.next(), 'default got not json at all');
    client.socket.send(JSON.stringify({ action: 'unknown-route' }));
    assert.match(await client.next(), /^default got /);
    client.socket.send(Buffer.from([0xff, 0x00]), { binary: true });
    assert.equal(await client.next(), `default got binary ${Buffer.from([0xff, 0x00]).toString('base64')}`);

    const info = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    assert.ok(info.ConnectedAt instanceof Date);
    assert.equal(info.Identity?.SourceIp, '127.0.0.1');
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'pushed' }));
    assert.equal(await client.next(), 'pushed');

    const closed = once(client.socket, 'close');
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    await closed;
    await assert.rejects(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' })),
      (error: unknown) => error instanceof GoneException && error.$metadata.httpStatusCode === 410,
    );
    await assert.rejects(management.send(new GetConnectionCommand({ ConnectionId: connectionId })), GoneException);
    // $disconnect runs after the close: wait for its invocation record.
    await new Promise<void>((resolve) => {
      if (session.runtime.records.list({ functionName: 'disconnect' }).length > 0) return resolve();
      const stop = session.runtime.records.subscribe((r) => {
        if (r.functionName === 'disconnect') {
          stop();
          resolve();
        }
      });
    });
    const disconnected = await eventOf('disconnect', connectionId);
    assert.equal(disconnected.requestContext.eventType, 'DISCONNECT');
    assert.equal(disconnected.requestContext.disconnectStatusCode, 1000);
  });

  test("no matching route and no $default: AWS's Forbidden message; $connect can refuse", async (t) => {
    const { url } = await startWs(t, { routes });
    const client = await connect(t, url);
    client.socket.send(JSON.stringify({ action: 'nothing-here' }));
    const reply = JSON.parse(await client.next()) as Json;
    assert.equal(reply.message, 'Forbidden');
    assert.equal(typeof reply.connectionId, 'string');
    assert.equal(await refusedWith(`${url}/?deny=1`), 403);
  });

  test('a $connect authorizer: its event (Powertools schema), 401/403 refusals, context in the events', async (t) => {
    const { url, eventOf } = await startWs(t, {
      routes,
      authorizer: { function: 'authorizer', identitySource: ['$request.header.x-token'] },
    });
    assert.equal(await refusedWith(url), 401, 'no identity source: refused without calling the authorizer');
    assert.equal(await refusedWith(url, { 'x-token': 'bad' }), 403);
    assert.equal(await refusedWith(url, { 'x-token': 'throw' }), 401);
    const client = await connect(t, url, { 'x-token': 'ok' });
    client.socket.send(JSON.stringify({ action: 'sendmessage' }));
    const message = JSON.parse(await client.next()) as Json;
    const connectionId = message.requestContext.connectionId as string;
    const authorizerEvent = await eventOf('authorizer', connectionId);
    APIGatewayProxyWebsocketEventSchema.parse(authorizerEvent);
    assert.match(authorizerEvent.methodArn, /^arn:aws:execute-api:us-east-1:000000000000:[^/]+\/dev\/\$connect$/);
    const connected = await eventOf('connect', connectionId);
    assert.equal(connected.requestContext.authorizer.principalId, 'user-ok');
    assert.equal(connected.requestContext.authorizer.tier, 'gold');
  });

  test('limits: 10 minutes idle and the maximum duration close with 1001; over 128 KB closes with 1009', async (t) => {
    const clock = new ManualClock(Date.now());
    const { url } = await startWs(t, { routes, maxConnectionSeconds: 900 }, clock);
    const idle = await connect(t, url);
    const idleClosed = once(idle.socket, 'close');
    clock.advance(599_000);
    assert.equal(idle.socket.readyState, WebSocket.OPEN);
    clock.advance(1_000);
    assert.equal((await idleClosed)[0], 1001);

    const busy = await connect(t, url);
    const busyClosed = once(busy.socket, 'close');
    for (let minute = 0; minute < 15; minute++) {
      busy.socket.send(JSON.stringify({ action: 'sendmessage' }));
      await busy.next();
      clock.advance(60_000);
    }
    assert.equal((await busyClosed)[0], 1001, 'closed at the maximum duration though never idle');

    const big = await connect(t, url);
    const bigClosed = once(big.socket, 'close');
    big.socket.send('x'.repeat(128 * 1024 + 1));
    assert.equal((await bigClosed)[0], 1009);
  });
});
