/** Keep-alive clients posting back to back (and distinct reporters in a batch mix). */
export const SENDERS = 8;
export const CALLS_PER_BATCH = 20;

/** A realistic batch: one reporter's calls to 20 targets, 12 latency buckets each. */
export function batchBody(sender: number): string {
  const bounds = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];
  return JSON.stringify({
    reporter: { service: `caller-${sender}`, instance: `caller-${sender}-1` },
    intervalStart: new Date(Date.now() - 5_000).toISOString(),
    intervalSeconds: 5,
    calls: Array.from({ length: CALLS_PER_BATCH }, (_, i) => ({
      to: `svc-${i}`,
      toInstance: `svc-${i}-${sender % 3}`,
      count: 300,
      errors: 3,
      latencyMs: { bounds, counts: [10, 20, 60, 90, 60, 30, 15, 8, 4, 2, 1, 0] },
    })),
  });
}

