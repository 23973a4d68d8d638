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

/** What a route invokes: a function (`'overview'` is short for `{ function: 'overview' }`). */
export const RouteTargetSchema = z
  .union([z.string().min(1), z.strictObject({ function: z.string().min(1) })])
  .transform((target) => (typeof target === 'string' ? { function: target } : target));
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
