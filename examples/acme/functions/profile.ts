import { customerIdFrom, seedOf, storeLatency } from './lib/customerId.js';
import { idempotentBranch } from './lib/idempotent.js';

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Alan Kay'];

/** L2: the customer's profile. */
export const handler = idempotentBranch(async (event: unknown) => {
  const customerId = customerIdFrom(event);
  await storeLatency(15);
  const seed = seedOf(customerId);
  return { customerId, name: NAMES[seed % NAMES.length], tier: seed % 3 === 0 ? 'gold' : 'standard' };
});
