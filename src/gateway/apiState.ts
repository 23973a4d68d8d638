import type { HttpApi, Throttle } from '../model/httpSchema.js';
import type { Clock } from '../shared/clock.js';
import { ApiKeyGate } from './auth/apiKeyGate.js';
import { type ApiIdentity, RouteAuthorizer, type TimedInvoke } from './auth/routeAuthorizer.js';
import { RouteTable } from './routeTable.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * Everything the gateway keeps for one loaded API: its route table, throttle buckets, authorizers (with their
 * caches and key sets) and API keys. A config reload builds a new one, so limits and caches start over.
 */
export class ApiState {
  readonly routes: RouteTable;
  readonly authorizer: RouteAuthorizer | undefined;
  readonly apiKeys: ApiKeyGate;
  private readonly account: TokenBucket;
  private readonly routeBuckets = new Map<string, TokenBucket>();
  private readonly clock: Clock;

  constructor(
    api: HttpApi,
    options: { identity: ApiIdentity; appDir: string; clock: Clock; invoke: TimedInvoke; accountThrottle: Throttle },
  ) {
    this.clock = options.clock;
    this.routes = new RouteTable(api.routes);
    this.account = new TokenBucket(options.accountThrottle, options.clock);
    this.authorizer =
      api.type === 'alb'
        ? undefined
        : new RouteAuthorizer({
            authorizers: api.authorizers,
            api: options.identity,
            appDir: options.appDir,
            clock: options.clock,
            invoke: options.invoke,
          });
    this.apiKeys = new ApiKeyGate(api.apiKeys, api.usagePlans, options.clock);
  }

  /**
   * API Gateway's throttling: the account's bucket (`limits.apiGatewayThrottle`, 10,000 rps and burst 5,000 by
   * default) for every request, then the route's
   * own bucket when a throttle applies to it.
   */
  admit(routeKey: string, throttle: Throttle | undefined): boolean {
    if (!this.account.take()) return false;
    if (throttle === undefined) return true;
    let bucket = this.routeBuckets.get(routeKey);
    if (bucket === undefined) {
      bucket = new TokenBucket(throttle, this.clock);
      this.routeBuckets.set(routeKey, bucket);
    }
    return bucket.take();
  }
}
