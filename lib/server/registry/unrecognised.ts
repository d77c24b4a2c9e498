import type { RegistryStatus } from '@/lib/model/live';

export interface Diagnostics {
  /** Whether the view is in sync with etcd and, when not, why (e.g. an authentication or TLS failure). */
  registry: RegistryStatus;
  keysSeen: number;
  instances: number;
  unrecognised: { prefix: string; count: number; sampleKey: string }[];
}

const MAX_SAMPLE_KEY = 200;

/** The first path segment, the unit operators think in (`/config/…`, `user.rpc/…`), clipped like samples. */
export function keyPrefix(key: string): string {
  const start = key.startsWith('/') ? 1 : 0;
  const slash = key.indexOf('/', start);
  return (slash === -1 ? key : key.slice(0, slash + 1)).slice(0, MAX_SAMPLE_KEY);
}

/** Counts keys that decode to no instance, per prefix, so the diagnostics page can list them. */
export function createUnrecognisedCounter() {
  const prefixByKey = new Map<string, string>();
  return {
    count(key: string): void {
      prefixByKey.set(key, keyPrefix(key));
    },
    forget(key: string): void {
      prefixByKey.delete(key);
    },
    reset(): void {
      prefixByKey.clear();
    },
    summary(): { unrecognisedKeys: number; unrecognised: Diagnostics['unrecognised'] } {
      const byPrefix = new Map<string, { prefix: string; count: number; sampleKey: string }>();
      for (const [key, prefix] of prefixByKey) {
        const entry = byPrefix.get(prefix);
        if (entry) entry.count += 1;
        else byPrefix.set(prefix, { prefix, count: 1, sampleKey: key.slice(0, MAX_SAMPLE_KEY) });
      }
      return {
        unrecognisedKeys: prefixByKey.size,
        unrecognised: [...byPrefix.values()].sort((a, b) => b.count - a.count),
      };
    },
  };
}
