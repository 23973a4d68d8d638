import { z } from 'zod';

/** A token bucket: `rateLimit` requests per second steady, `burstLimit` at once. */
export const ThrottleSchema = z.strictObject({
  rateLimit: z.number().positive(),
  burstLimit: z.number().int().min(0),
});
export type Throttle = z.infer<typeof ThrottleSchema>;
