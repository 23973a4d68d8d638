import { z } from 'zod';
import { API_GATEWAY } from './awsLimits.js';

/** `GET /customers/{id}`, `ANY /files/{proxy+}`, or `$default`. */
export const RouteKeySchema = z
  .string()
  .regex(
    /^(\$default|(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/[^\s]*)$/,
    'must be "$default" or "METHOD /path" (METHOD: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY)',
  )
  .refine((key) => !/\{[^}]+\+\}./.test(key), { message: 'a greedy {name+} parameter must be the last segment' });

/** A token bucket: `rateLimit` requests per second steady, `burstLimit` at once. */
export const ThrottleSchema = z.strictObject({
  rateLimit: z.number().positive(),
  burstLimit: z.number().int().min(0),
});
export type Throttle = z.infer<typeof ThrottleSchema>;

/** What a route invokes: a function (`'overview'` is short for `{ function: 'overview' }`), with its own throttle. */
export const RouteTargetSchema = z
  .union([z.string().min(1), z.strictObject({ function: z.string().min(1), throttle: ThrottleSchema.optional() })])
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

/** The `http` section: an API Gateway HTTP API (payload 2.0, or 1.0) or REST API (payload 1.0). */
export const HttpApiSchema = z
  .strictObject({
    type: z.enum(['http', 'rest']).default('http'),
    /** HTTP APIs only; REST APIs always send 1.0. */
    payloadFormatVersion: z.enum(['1.0', '2.0']).optional(),
    /** Integration timeout: 50 ms to 29 s (REST) or 30 s (HTTP API); defaults to the maximum. */
    integrationTimeoutMs: z.number().int().min(API_GATEWAY.minIntegrationTimeoutMs).optional(),
    routes: z.record(RouteKeySchema, RouteTargetSchema),
    /** Default throttle of every route (each route its own bucket); routes may override it. */
    throttle: ThrottleSchema.optional(),
    cors: CorsSchema.optional(),
  })
  .superRefine((api, ctx) => {
    const max = api.type === 'rest' ? API_GATEWAY.maxRestIntegrationTimeoutMs : API_GATEWAY.maxHttpIntegrationTimeoutMs;
    if (api.integrationTimeoutMs !== undefined && api.integrationTimeoutMs > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['integrationTimeoutMs'],
        message: `must be at most ${max} for a ${api.type === 'rest' ? 'REST' : 'HTTP'} API`,
        input: api.integrationTimeoutMs,
      });
    }
    if (api.cors?.allowCredentials === true && api.cors.allowOrigins.includes('*')) {
      ctx.addIssue({
        code: 'custom',
        path: ['cors', 'allowOrigins'],
        message: "cannot be '*' when allowCredentials is true",
        input: api.cors.allowOrigins,
      });
    }
    if (api.type === 'rest' && api.payloadFormatVersion === '2.0') {
      ctx.addIssue({
        code: 'custom',
        path: ['payloadFormatVersion'],
        message: 'REST APIs send payload format 1.0 only',
        input: '2.0',
      });
    }
  });
export type HttpApi = z.infer<typeof HttpApiSchema>;
