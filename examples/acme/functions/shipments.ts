import { customerIdFrom, seedOf, storeLatency } from './lib/customerId.js';
import { idempotentBranch } from './lib/idempotent.js';

const STATES = ['label-created', 'in-transit', 'out-for-delivery', 'delivered'];

/** L2: where the customer's parcels are. */
export const handler = idempotentBranch(async (event: unknown) => {
  const customerId = customerIdFrom(event);
  await storeLatency(25);
  const seed = seedOf(customerId);
  return { customerId, shipments: [{ trackingId: `1Z${seed}`, state: STATES[seed % STATES.length] }] };
});
