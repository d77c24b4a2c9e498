import { isIPv6 } from 'node:net';

export interface LoginLimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** Addresses remembered at most; past it the least recently seen is forgotten. */
  maxAddresses?: number;
  now?: () => number;
}

/** A held slot: a sign-in in progress counts against its address until it is settled. */
export type LoginSlot = { ok: true; failed(): void; release(): void } | { ok: false; retryAfterSeconds: number };

/** One entry per address: `failures` oldest first, never more than `maxFailures` with `pending`. */
interface AddressEntry {
  failures: number[];
  pending: number;
}

/**
 * The limiter's key for a client address: an IPv4-mapped IPv6 address is its IPv4 address, and
 * an IPv6 address counts by its /64, which one client usually holds whole (one per host or LAN).
 */
export function limiterKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const zeros = Array.from({ length: Math.max(0, 8 - headGroups.length - tailGroups.length) }, () => '0');
  const groups = address.includes('::') ? [...headGroups, ...zeros, ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}

/** Failed sign-ins per client address (createLoginLimiter). */
export interface LoginLimiter {
  /** Takes a slot for one sign-in from this address, or says how long to wait. */
  reserve(address: string): LoginSlot;
  /** Addresses refused right now, with the seconds until each may try again. */
  limited(): { address: string; retryAfterSeconds: number }[];
  /** Forgets the failures of one address (an admin's way out), or of every address; returns how many were limited. */
  clear(address?: string): number;
  /** Addresses held in memory (tests check the bound). */
  size(): number;
}

/**
 * Failed sign-ins per client address in a sliding window: stops password spraying across many
 * accounts, which the per-account lockout alone does not see. A sign-in takes its slot before its
 * password is checked (`reserve`) and gives it back only if it succeeds, so a burst of parallel
 * attempts cannot all pass the check before the first failure is recorded. In memory: a restart
 * forgets it, and the per-account lockout (in the database) still holds.
 */
export function createLoginLimiter(options: LoginLimiterOptions): LoginLimiter {
  const now = options.now ?? Date.now;
  const maxAddresses = options.maxAddresses ?? 10_000;
  // Insertion order is recency order (every touch re-inserts): the first key is the stalest.
  const entries = new Map<string, AddressEntry>();

  const prune = (entry: AddressEntry, time: number): void => {
    const since = time - options.windowMs;
    while (entry.failures.length > 0 && (entry.failures[0] ?? since) <= since) entry.failures.shift();
  };

  const evictBeyondLimit = (): void => {
    while (entries.size > maxAddresses) {
      const stalest = entries.keys().next();
      if (stalest.done) return;
      entries.delete(stalest.value);
    }
  };

  /** The entry of an address, pruned and marked most recently seen. */
  const touch = (key: string, time: number): AddressEntry => {
    const entry = entries.get(key) ?? { failures: [], pending: 0 };
    prune(entry, time);
    entries.delete(key);
    entries.set(key, entry);
    evictBeyondLimit();
    return entry;
  };

  const forgetIfEmpty = (key: string, entry: AddressEntry): void => {
    if (entry.failures.length === 0 && entry.pending === 0 && entries.get(key) === entry) entries.delete(key);
  };

  /** Seconds until one slot frees: the oldest failure that must expire, or soon if only pending attempts hold it. */
  const waitSeconds = (entry: AddressEntry, time: number): number => {
    const mustExpire = entry.failures.length + entry.pending - options.maxFailures;
    const failedAt = entry.failures[mustExpire];
    return failedAt === undefined ? 1 : Math.max(1, Math.ceil((failedAt + options.windowMs - time) / 1000));
  };

  return {
    reserve(address: string): LoginSlot {
      const key = limiterKey(address);
      const time = now();
      const entry = touch(key, time);
      if (entry.failures.length + entry.pending >= options.maxFailures) return { ok: false, retryAfterSeconds: waitSeconds(entry, time) };
      entry.pending += 1;
      let settled = false;
      const settle = (failed: boolean): void => {
        if (settled) return;
        settled = true;
        entry.pending -= 1;
        if (!failed) return forgetIfEmpty(key, entry);
        // An entry evicted meanwhile (a flood of other addresses) is filed again with this failure.
        const current = touch(key, now());
        current.failures.push(now());
        current.failures.splice(0, Math.max(0, current.failures.length + current.pending - options.maxFailures));
      };
      return { ok: true, failed: () => settle(true), release: () => settle(false) };
    },

    limited(): { address: string; retryAfterSeconds: number }[] {
      const time = now();
      const result: { address: string; retryAfterSeconds: number }[] = [];
      for (const [address, entry] of entries) {
        prune(entry, time);
        if (entry.failures.length >= options.maxFailures) result.push({ address, retryAfterSeconds: waitSeconds(entry, time) });
      }
      return result;
    },

    clear(address?: string): number {
      const time = now();
      const keys = address === undefined ? [...entries.keys()] : [limiterKey(address)];
      let limited = 0;
      for (const key of keys) {
        const entry = entries.get(key);
        if (!entry) continue;
        prune(entry, time);
        if (entry.failures.length >= options.maxFailures) limited += 1;
        entry.failures = [];
        forgetIfEmpty(key, entry);
      }
      return limited;
    },

    size: (): number => entries.size,
  };
}
