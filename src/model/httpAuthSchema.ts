import { z } from 'zod';
import { API_GATEWAY } from './awsLimits.js';
import { ThrottleSchema } from './throttleSchema.js';

/** `$request.header.Authorization`, `$request.querystring.token`, `$context.…`, `$stageVariables.…`. */
const IdentitySourceSchema = z
  .string()
  .regex(
    /^\$(request\.(header|querystring)\.[^\s]+|context\.[A-Za-z.]+|stageVariables\.[A-Za-z0-9_]+)$/,
    'must be $request.header.<name>, $request.querystring.<name>, $context.<name> or $stageVariables.<name>',
  );

/**
 * An HTTP API JWT authorizer: the token from `identitySource` (default the Authorization header, `Bearer ` optional)
 * is verified with the issuer's keys, then `iss`, `aud` or `client_id`, `exp`, `nbf` and the route's scopes.
 */
export const JwtAuthorizerSchema = z.strictObject({
  type: z.literal('jwt'),
  issuer: z.string().min(1),
  audience: z.array(z.string().min(1)).min(1).max(API_GATEWAY.maxJwtAudiences),
  /** Where the keys come from: a JWKS document on disk (relative to the app) or the issuer's `jwks_uri`. */
  jwks: z.union([z.strictObject({ file: z.string().min(1) }), z.strictObject({ url: z.url() })]),
  identitySource: IdentitySourceSchema.default('$request.header.Authorization'),
});

/**
 * A Lambda REQUEST authorizer: the function receives the request (payload 1.0 or 2.0) and answers a simple
 * response (`{ isAuthorized, context }`, HTTP API 2.0 with `enableSimpleResponses`) or an IAM policy.
 * Results are cached per identity-source values for `resultTtlSeconds`.
 */
export const LambdaAuthorizerSchema = z.strictObject({
  type: z.literal('lambda'),
  function: z.string().min(1),
  payloadFormatVersion: z.enum(['1.0', '2.0']).default('2.0'),
  enableSimpleResponses: z.boolean().default(false),
  /** Requests missing any of these are refused with 401 before the authorizer runs. */
  identitySource: z.array(IdentitySourceSchema).default(['$request.header.Authorization']),
  /** 0 disables the cache; AWS's maximum is 3,600. */
  resultTtlSeconds: z.number().int().min(0).max(3_600).default(API_GATEWAY.defaultAuthorizerTtlSeconds),
});

export const AuthorizerSchema = z.discriminatedUnion('type', [JwtAuthorizerSchema, LambdaAuthorizerSchema]);
export type Authorizer = z.infer<typeof AuthorizerSchema>;
export type JwtAuthorizer = z.infer<typeof JwtAuthorizerSchema>;
export type LambdaAuthorizer = z.infer<typeof LambdaAuthorizerSchema>;

/** How a route is authorised: `'none'`, or an authorizer by name with the scopes a JWT must hold (any one). */
export const RouteAuthSchema = z.union([
  z.literal('none'),
  z.strictObject({
    authorizer: z.string().min(1),
    scopes: z.array(z.string().min(1)).max(API_GATEWAY.maxRouteScopes).optional(),
  }),
]);
export type RouteAuth = z.infer<typeof RouteAuthSchema>;

/** A REST usage plan: a throttle and a quota per API key. */
export const UsagePlanSchema = z.strictObject({
  throttle: ThrottleSchema.optional(),
  quota: z.strictObject({ limit: z.number().int().min(0), period: z.enum(['DAY', 'WEEK', 'MONTH']) }).optional(),
});
export type UsagePlan = z.infer<typeof UsagePlanSchema>;

/** A REST API key (sent as `x-api-key`), at least 20 characters as API Gateway requires, in one usage plan. */
export const ApiKeySchema = z.strictObject({
  value: z.string().min(API_GATEWAY.minApiKeyLength).max(128),
  usagePlan: z.string().min(1),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
