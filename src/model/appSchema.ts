import { z } from 'zod';
import { API_GATEWAY, LAMBDA } from './awsLimits.js';
import { FunctionNameSchema, FunctionSchema } from './functionSchema.js';
import { HttpApiSchema } from './httpSchema.js';
import { ThrottleSchema } from './throttleSchema.js';
import { WebSocketApiSchema } from './websocketSchema.js';

export const LimitsSchema = z.strictObject({
  /** The account's concurrent executions quota for the Region. */
  accountConcurrency: z.number().int().min(1).default(LAMBDA.defaultAccountConcurrency),
  /** API Gateway's account throttle for the Region (10,000 rps, burst 5,000), raisable on AWS by quota request. */
  apiGatewayThrottle: ThrottleSchema.default({
    rateLimit: API_GATEWAY.accountRateLimit,
    burstLimit: API_GATEWAY.accountBurstLimit,
  }),
});
export type Limits = z.infer<typeof LimitsSchema>;

/**
 * The whole app: the single source of truth for `tributary.config.ts`.
 * Cross-field rules (reserved concurrency budget, destination references) are checked here too, so one
 * parse reports every problem at once.
 */
export const AppSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must start with a letter; letters, digits and -'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'must be an AWS Region code such as us-east-1')
      .default('us-east-1'),
    limits: LimitsSchema.default(() => LimitsSchema.parse({})),
    functions: z.record(FunctionNameSchema, FunctionSchema).default({}),
    /** The HTTP API in front of the functions (API Gateway). */
    http: HttpApiSchema.optional(),
    /** The WebSocket API (API Gateway), for pushing results back to clients. */
    websocket: WebSocketApiSchema.optional(),
  })
  .superRefine((app, ctx) => {
    const reservable = app.limits.accountConcurrency - LAMBDA.minimumUnreservedConcurrency;
    let reserved = 0;
    for (const [name, fn] of Object.entries(app.functions)) {
      reserved += fn.reservedConcurrency ?? 0;
      for (const key of ['onSuccess', 'onFailure'] as const) {
        const destination = fn.async[key];
        if (destination !== undefined && 'function' in destination && !(destination.function in app.functions)) {
          ctx.addIssue({
            code: 'custom',
            path: ['functions', name, 'async', key, 'function'],
            message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
            input: destination.function,
          });
        }
      }
    }
    for (const [routeKey, target] of Object.entries(app.http?.routes ?? {})) {
      if (!(target.function in app.functions)) {
        ctx.addIssue({
          code: 'custom',
          path: ['http', 'routes', routeKey, 'function'],
          message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
          input: target.function,
        });
      }
    }
    const websocketTargets: [(string | number)[], string][] = Object.entries(app.websocket?.routes ?? {}).map(
      ([key, target]) => [['websocket', 'routes', key, 'function'], target.function],
    );
    if (app.websocket?.authorizer !== undefined)
      websocketTargets.push([['websocket', 'authorizer', 'function'], app.websocket.authorizer.function]);
    for (const [path, target] of websocketTargets) {
      if (!(target in app.functions)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
          input: target,
        });
      }
    }
    for (const [name, authorizer] of Object.entries(app.http?.authorizers ?? {})) {
      if (authorizer.type === 'lambda' && !(authorizer.function in app.functions)) {
        ctx.addIssue({
          code: 'custom',
          path: ['http', 'authorizers', name, 'function'],
          message: `names no function of this app (functions: ${Object.keys(app.functions).join(', ')})`,
          input: authorizer.function,
        });
      }
    }
    if (reserved > 0 && reserved > reservable) {
      ctx.addIssue({
        code: 'custom',
        path: ['functions'],
        message: `reserved concurrency adds up to ${reserved}, but at most ${Math.max(0, reservable)} may be reserved (limits.accountConcurrency ${app.limits.accountConcurrency} minus the ${LAMBDA.minimumUnreservedConcurrency} that stay unreserved)`,
      });
    }
  });

/** The validated, immutable app every consumer reads (runtime, check, synth). */
export type AppModel = Readonly<z.infer<typeof AppSchema>>;
/** What a user writes in `tributary.config.ts`: defaults may be left out. */
export type AppConfig = z.input<typeof AppSchema>;
