import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { BRANCH_IDEMPOTENCY_KEY_PATH } from 'tributary/aggregate';

// One persistence layer per execution environment, in the app's `idempotency` table (TTL on `expiration`).
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idempotency' });

type Handler<E, R> = (event: E, context: LambdaContext) => Promise<R>;

/** The part of Lambda's context Powertools reads (it tracks the remaining time of the invocation). */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  [key: string]: unknown;
}

/**
 * Powertools' `makeIdempotent` around a handler, used only when the event carries a key (`keyOf` returns one):
 * calls without a key (a direct route, the WebSocket aggregation) run as they are, without a lookup.
 */
function whenKeyed<E, R>(handler: Handler<E, R>, keyOf: (event: E) => unknown, jmesPath: string): Handler<E, R> {
  const idempotent = makeIdempotent(handler, {
    persistenceStore,
    config: new IdempotencyConfig({ eventKeyJmesPath: jmesPath, expiresAfterSeconds: 3600 }),
  }) as unknown as Handler<E, R>;
  return (event, context) => (keyOf(event) === undefined ? handler(event, context) : idempotent(event, context));
}

/** An L1 keyed by the client's `Idempotency-Key` header: a retried request gets the stored answer. */
export const idempotentEntryPoint = <E extends { headers?: Record<string, string | undefined> }, R>(
  handler: Handler<E, R>,
): Handler<E, R> => whenKeyed(handler, (event) => event.headers?.['idempotency-key'], 'headers."idempotency-key"');

/** An L2 keyed by the branch key `fanOut` adds: a retried aggregation does not run a finished branch again. */
export const idempotentBranch = <E, R>(handler: Handler<E, R>): Handler<E, R> =>
  whenKeyed(
    handler,
    (event) => (event as Record<string, unknown> | null)?.[BRANCH_IDEMPOTENCY_KEY_PATH],
    BRANCH_IDEMPOTENCY_KEY_PATH,
  );
