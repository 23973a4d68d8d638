import { customerIdFrom, seedOf, storeLatency } from './lib/customerId.js';
import { idempotentBranch } from './lib/idempotent.js';

/** L2: the customer's open invoices. */
export const handler = idempotentBranch(async (event: unknown) => {
  const customerId = customerIdFrom(event);
  await storeLatency(10);
  const seed = seedOf(customerId);
  return { customerId, openInvoices: seed % 3, balanceDue: (seed % 3) * 42.5 };
});
