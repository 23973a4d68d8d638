import { customerIdFrom, seedOf, storeLatency } from './lib/customerId.js';
import { idempotentBranch } from './lib/idempotent.js';

/** L2: the customer's recent orders. */
export const handler = idempotentBranch(async (event: unknown) => {
  const customerId = customerIdFrom(event);
  await storeLatency(20);
  const seed = seedOf(customerId);
  const orders = Array.from({ length: (seed % 4) + 1 }, (_, i) => ({
    orderId: `o-${seed}-${i + 1}`,
    total: ((seed * (i + 3)) % 500) + 0.99,
  }));
  return { customerId, orders };
});
