/**
 * Where an execution environment exposes its channel to the platform: `globalThis[PLATFORM_INVOKE](call)` invokes a
 * function through the same pipeline as the Lambda API (concurrency, throttles, records, lineage) without HTTP and
 * SigV4. `tributary/aggregate` uses it when present (locally) and the AWS SDK otherwise (on AWS).
 */
export const PLATFORM_INVOKE = Symbol.for('tributary.platformInvoke');
