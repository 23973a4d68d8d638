import { z } from 'zod';
import { ALB, API_GATEWAY } from './awsLimits.js';
import { ApiKeySchema, AuthorizerSchema, RouteAuthSchema, UsagePlanSchema } from './httpAuthSchema.js';
import { ThrottleSchema } from './throttleSchema.js';

export type { Throttle } from './throttleSchema.js';

/** `GET /customers/{id}`, `ANY /files/{proxy+}`, or `$default`. */
export const RouteKeySchema = z
  .string()
  .regex(
    /^(\$default|(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/[^\s]*)$/,
    'must be "$default" or "METHOD /path" (METHOD: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY)',
  )
  .refine((key) => !/\{[^}]+\+\}./.test(key), { message: 'a greedy {name+} parameter must be the last segment' });

const RouteOptions = {
  throttle: ThrottleSchema.optional(),
  auth: RouteAuthSchema.optional(),
  apiKeyRequired: z.boolean().optional(),
};

/**
 * What a route invokes: a function (`'overview'` is short for `{ function: 'overview' }`), or a delivery stream
 * of the lake with no function in between (`{ stream: 'hr-events' }`, API Gateway's Firehose service integration) —
 * with its own throttle, its authorisation (overriding the API's `auth`) and, on REST APIs, whether it needs an
 * API key.
 */
export const RouteTargetSchema = z
  .union([
    z.string().min(1),
    z.strictObject({ function: z.string().min(1), ...RouteOptions }),
    z.strictObject({ stream: z.string().min(1), ...RouteOptions }),
  ])
  .transform((target) => (typeof target === 'string' ? { function: target } : target));

/** CORS as an HTTP API configures it; the gateway answers preflights and sets the response headers. */
export const CorsSchema = z.strictObject({
  allowOrigins: z.array(z.string().min(1)).min(1),
  allowMethods: z.array(z.string().min(1)).default(['*']),
  allowHeaders: z.array(z.string().min(1)).default([]),
  exposeHeaders: z.array(z.string().min(1)).default([]),
  maxAge: z.number().int().min(0).max(86_400).optional(),
  allowCredentials: z.boolean().default(false),
});
export type Cors = z.infer<typeof CorsSchema>;
export type RouteTarget = z.infer<typeof RouteTargetSchema>;

const API_NAMES = { http: 'an HTTP API', rest: 'a REST API', alb: 'a load balancer' } as const;

/**
 * The `http` section: an API Gateway HTTP API (payload 2.0, or 1.0), a REST API (payload 1.0), or an Application
 * Load Balancer with Lambda target groups (the seed's "more scalable alternative").
 */
export const HttpApiSchema = z
  .strictObject({
    type: z.enum(['http', 'rest', 'alb']).default('http'),
    /** HTTP APIs only; REST APIs always send 1.0. */
    payloadFormatVersion: z.enum(['1.0', '2.0']).optional(),
    /** Integration timeout: 50 ms to 29 s (REST) or 30 s (HTTP API); a load balancer's idle timeout (60 s). */
    integrationTimeoutMs: z.number().int().min(API_GATEWAY.minIntegrationTimeoutMs).optional(),
    /** Load balancers only: the target group's multi-value headers setting. */
    multiValueHeaders: z.boolean().optional(),
    routes: z.record(RouteKeySchema, RouteTargetSchema),
    /** Default throttle of every route (each route its own bucket); routes may override it. */
    throttle: ThrottleSchema.optional(),
    cors: CorsSchema.optional(),
    /** Authorizers by name, used by `auth` and by routes' `auth`. */
    authorizers: z.record(z.string().min(1), AuthorizerSchema).default({}),
    /** Every route's authorisation unless the route says otherwise; none by default. */
    auth: RouteAuthSchema.optional(),
    /** REST only: API keys by name, each in a usage plan. */
    apiKeys: z.record(z.string().min(1), ApiKeySchema).default({}),
    usagePlans: z.record(z.string().min(1), UsagePlanSchema).default({}),
  })
  .superRefine((api, ctx) => {
    const max =
      api.type === 'rest'
        ? API_GATEWAY.maxRestIntegrationTimeoutMs
        : api.type === 'alb'
          ? ALB.maxIdleTimeoutMs
          : API_GATEWAY.maxHttpIntegrationTimeoutMs;
    if (api.integrationTimeoutMs !== undefined && api.integrationTimeoutMs > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['integrationTimeoutMs'],
        message: `must be at most ${max} for ${API_NAMES[api.type]}`,
        input: api.integrationTimeoutMs,
      });
    }
    checkAuth(api, ctx);
    if (api.cors?.allowCredentials === true && api.cors.allowOrigins.includes('*')) {
      ctx.addIssue({
        code: 'custom',
        path: ['cors', 'allowOrigins'],
        message: "cannot be '*' when allowCredentials is true",
        input: api.cors.allowOrigins,
      });
    }
    if (api.type !== 'http' && api.payloadFormatVersion !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['payloadFormatVersion'],
        message: `is an HTTP API setting; ${API_NAMES[api.type]} has its own event format`,
        input: api.payloadFormatVersion,
      });
    }
    if (api.type !== 'alb' && api.multiValueHeaders !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['multiValueHeaders'],
        message: 'is a load balancer (type alb) setting',
        input: api.multiValueHeaders,
      });
    }
  });
export type HttpApi = z.infer<typeof HttpApiSchema>;

type Issue = Parameters<z.core.$RefinementCtx['addIssue']>[0];

/** Authorizers, API keys and usage plans: what each API type supports, and names that resolve. */
function checkAuth(api: z.infer<typeof HttpApiSchema>, ctx: z.core.$RefinementCtx): void {
  const problem = (path: (string | number)[], message: string, input?: unknown): void =>
    ctx.addIssue({ code: 'custom', path, message, input } as Issue);
  for (const [name, authorizer] of Object.entries(api.authorizers)) {
    if (api.type === 'alb') problem(['authorizers', name], 'a load balancer has no API Gateway authorizers');
    if (authorizer.type === 'jwt' && api.type === 'rest')
      problem(['authorizers', name, 'type'], 'JWT authorizers belong to HTTP APIs; use a lambda authorizer', 'jwt');
    if (authorizer.type === 'lambda' && api.type === 'rest' && authorizer.payloadFormatVersion !== '1.0')
      problem(['authorizers', name, 'payloadFormatVersion'], "a REST API's authorizer gets payload 1.0", '2.0');
    if (authorizer.type === 'lambda' && authorizer.enableSimpleResponses && authorizer.payloadFormatVersion !== '2.0')
      problem(['authorizers', name, 'enableSimpleResponses'], 'simple responses need payload format 2.0', true);
  }
  const checkRouteAuth = (path: (string | number)[], auth: z.infer<typeof RouteAuthSchema> | undefined): void => {
    if (auth === undefined || auth === 'none') return;
    const authorizer = api.authorizers[auth.authorizer];
    if (authorizer === undefined)
      problem(
        [...path, 'authorizer'],
        `names no authorizer (authorizers: ${Object.keys(api.authorizers).join(', ') || 'none'})`,
        auth.authorizer,
      );
    else if (auth.scopes !== undefined && authorizer.type !== 'jwt')
      problem([...path, 'scopes'], 'scopes apply to JWT authorizers only', auth.scopes);
  };
  checkRouteAuth(['auth'], api.auth);
  for (const [key, target] of Object.entries(api.routes)) {
    checkRouteAuth(['routes', key, 'auth'], target.auth);
    if ('stream' in target && api.type === 'alb')
      problem(['routes', key, 'stream'], 'a load balancer forwards to functions only', target.stream);
    if (target.apiKeyRequired === true && api.type !== 'rest')
      problem(['routes', key, 'apiKeyRequired'], 'API keys belong to REST APIs', true);
  }
  if (api.type !== 'rest' && Object.keys(api.apiKeys).length > 0)
    problem(['apiKeys'], 'API keys and usage plans belong to REST APIs');
  for (const [name, key] of Object.entries(api.apiKeys)) {
    if (!(key.usagePlan in api.usagePlans))
      problem(
        ['apiKeys', name, 'usagePlan'],
        `names no usage plan (usagePlans: ${Object.keys(api.usagePlans).join(', ') || 'none'})`,
        key.usagePlan,
      );
  }
}
