import { z } from 'zod';
import { WEBSOCKET } from './awsLimits.js';

/** `$connect`, `$disconnect`, `$default`, or a custom key chosen by the route selection expression. */
const WebSocketRouteKeySchema = z
  .string()
  .regex(
    /^(\$connect|\$disconnect|\$default|[A-Za-z0-9_.:-]{1,128})$/,
    'must be $connect, $disconnect, $default or a route key of letters, digits and _.:-',
  );

/**
 * What a WebSocket route invokes: a function (`'chat'` is short for `{ function: 'chat' }`); with
 * `returnResponse` the function's `body` is sent back to the client (a route response), as a two-way route does.
 */
export const WebSocketRouteTargetSchema = z
  .union([
    z.string().min(1),
    z.strictObject({ function: z.string().min(1), returnResponse: z.boolean().default(false) }),
  ])
  .transform((target) => (typeof target === 'string' ? { function: target, returnResponse: false } : target));

/**
 * The `websocket` section: an API Gateway WebSocket API. Messages are routed by `routeSelectionExpression`
 * (`$request.body.<field>`); `$connect` may be guarded by a Lambda REQUEST authorizer. Functions answer clients
 * through the `@connections` API on the AWS endpoint.
 */
export const WebSocketApiSchema = z.strictObject({
  routeSelectionExpression: z
    .string()
    .regex(
      /^\$request\.body\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/,
      'must be $request.body.<field>, e.g. $request.body.action',
    )
    .default('$request.body.action'),
  routes: z.record(WebSocketRouteKeySchema, WebSocketRouteTargetSchema),
  /** A Lambda REQUEST authorizer run before `$connect`, with these identity sources (headers or query). */
  authorizer: z
    .strictObject({
      function: z.string().min(1),
      identitySource: z
        .array(
          z
            .string()
            .regex(
              /^\$request\.(header|querystring)\.[^\s]+$/,
              'must be $request.header.<name> or $request.querystring.<name>',
            ),
        )
        .default([]),
    })
    .optional(),
  idleTimeoutSeconds: z.number().int().min(1).max(WEBSOCKET.idleTimeoutSeconds).default(WEBSOCKET.idleTimeoutSeconds),
  maxConnectionSeconds: z
    .number()
    .int()
    .min(1)
    .max(WEBSOCKET.maxConnectionDurationSeconds)
    .default(WEBSOCKET.maxConnectionDurationSeconds),
});
export type WebSocketApi = z.infer<typeof WebSocketApiSchema>;
