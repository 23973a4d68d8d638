import { aggregate } from 'tributary/client';

/**
 * The seed's "client as aggregator": the client calls the four direct routes itself, in parallel, and merges what
 * they return — no L1 function runs (or is billed) while it waits. `shipments` is optional: if it fails, the
 * overview still comes back, with a hole where shipments would be.
 */
export async function overviewFromClient(api: string, customerId: string) {
  const base = `${api}/customers/${encodeURIComponent(customerId)}`;
  const { values, outcomes, complete } = await aggregate(
    {
      profile: { url: `${base}/profile` },
      orders: { url: `${base}/orders` },
      invoices: { url: `${base}/invoices` },
      shipments: { url: `${base}/shipments`, required: false },
    },
    { timeoutMs: 2_000, retries: 2 },
  );
  return { customerId, ...values, complete, attempts: Object.values(outcomes).map((o) => o.attempts) };
}

// `npx tsx examples/acme/scripts/clientAggregate.ts c-42` while `npm start` runs.
if (process.argv[1]?.endsWith('clientAggregate.ts') === true) {
  const result = await overviewFromClient(process.env.ACME_API ?? 'http://127.0.0.1:3000', process.argv[2] ?? 'c-42');
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
