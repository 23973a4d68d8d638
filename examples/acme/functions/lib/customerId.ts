/** The customer id from a direct invocation (`{"customerId":"c-42"}`) or an API Gateway event (`/customers/{id}`). */
export function customerIdFrom(event: unknown): string {
  if (event !== null && typeof event === 'object') {
    if ('customerId' in event && typeof event.customerId === 'string') return event.customerId;
    if ('pathParameters' in event && event.pathParameters !== null && typeof event.pathParameters === 'object') {
      const { pathParameters } = event;
      if ('id' in pathParameters && typeof pathParameters.id === 'string') return pathParameters.id;
    }
  }
  throw new Error('No customer id: pass {"customerId":"c-1"} or call /customers/{id}/...');
}

/** A small deterministic number from a string, so the fake data is stable per customer. */
export function seedOf(text: string): number {
  let seed = 7;
  for (const char of text) seed = (seed * 31 + char.charCodeAt(0)) % 100_003;
  return seed;
}

/** Simulates the latency of the data store behind an L2x. */
export function storeLatency(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
