import type { Etcd3 } from 'etcd3';

const CONCURRENCY = 4;

/**
 * Looks up each lease's granted TTL once, in the background, a few at a time: thousands of
 * instances may share or each hold a lease, and the listing must not wait for them.
 */
export function createLeaseTtlLookup(client: Etcd3, found: (lease: string, ttlSeconds: number) => void) {
  const known = new Set<string>();
  const queue: string[] = [];
  let active = 0;
  let stopped = false;

  const pump = (): void => {
    while (!stopped && active < CONCURRENCY && queue.length > 0) {
      const lease = queue.shift() as string;
      active += 1;
      client.leaseClient
        .leaseTimeToLive({ ID: lease })
        .then((response) => {
          const granted = Number(response.grantedTTL);
          if (!stopped && Number.isFinite(granted) && granted > 0) found(lease, granted);
        })
        // A lease that vanished or an etcd hiccup: the TTL is a nicety, try again on the next sighting.
        .catch(() => known.delete(lease))
        .finally(() => {
          active -= 1;
          pump();
        });
    }
  };

  return {
    want(lease: string): void {
      if (known.has(lease)) return;
      known.add(lease);
      queue.push(lease);
      pump();
    },
    stop(): void {
      stopped = true;
      queue.length = 0;
    },
  };
}
