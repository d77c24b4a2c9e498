import type { Etcd3 } from 'etcd3';
import { BoundedMap } from '@/lib/model/bounded-map';

const CONCURRENCY = 4;
/**
 * Leases remembered (asked about, and when each could expire), oldest dropped first: beyond any
 * fleet we serve, and a lease forgotten is only asked about again when seen again, or judged "ended"
 * rather than "revoked" when its keys vanish (lease-end.ts).
 */
const MAX_LEASES = 65_536;

/**
 * Looks up each lease's granted TTL once, in the background, a few at a time: thousands of
 * instances may share or each hold a lease, and the listing must not wait for them. The same
 * answer's remaining TTL bounds when the lease could expire by itself (lease-end.ts).
 */
export function createLeaseTtlLookup(client: Etcd3, found: (lease: string, ttlSeconds: number) => void, now: () => number = Date.now) {
  /** Leases asked about (or queued to be). */
  const known = new BoundedMap<string, true>(MAX_LEASES);
  const earliestExpiries = new BoundedMap<string, number>(MAX_LEASES);
  const queue: string[] = [];
  let active = 0;
  let stopped = false;

  const pump = (): void => {
    while (!stopped && active < CONCURRENCY && queue.length > 0) {
      const lease = queue.shift() as string;
      active += 1;
      // Asked at or after this moment, so the lease cannot run out before it plus the remaining TTL.
      const askedAt = now();
      client.leaseClient
        .leaseTimeToLive({ ID: lease })
        .then((response) => {
          const remaining = Number(response.TTL);
          if (!stopped && Number.isFinite(remaining) && remaining > 0) earliestExpiries.set(lease, askedAt + remaining * 1_000);
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
      known.set(lease, true);
      queue.push(lease);
      pump();
    },
    earliestExpiry: (lease: string): number | undefined => earliestExpiries.get(lease),
    /** The lease is gone: its facts go too (ids are not reused). */
    forget(lease: string): void {
      known.delete(lease);
      earliestExpiries.delete(lease);
    },
    stop(): void {
      stopped = true;
      queue.length = 0;
    },
  };
}
