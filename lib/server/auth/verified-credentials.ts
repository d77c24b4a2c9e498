import type { Principal } from '@/lib/model/auth';
import { BoundedMap } from '@/lib/model/bounded-map';

/** A session or token the database vouched for, as it said then. */
export interface VerifiedCredential {
  principal: Principal;
  /** When it stops being valid whatever the database would say (token or session expiry); null: never. */
  expiresMs: number | null;
  /** When the database last vouched for it. */
  verifiedMs: number;
  /** When "last used" (tokens) or "last seen" (sessions) was last written for it. */
  touchedMs: number;
}

/**
 * Credentials the database vouched for lately, by the SHA-256 of their secret: the token cache
 * (trusted alone for a few seconds) and the fallback while the database is unreachable (trusted
 * for a bounded window after the last verification). At most `max` entries: a Map (never an
 * object keyed by input); past it the least recently verified hundredth is dropped.
 */
export interface VerifiedCredentials {
  /** The entry for `hash` if the database vouched for it under `maxAgeMs` before `time`. */
  get(hash: string, time: number, maxAgeMs: number): VerifiedCredential | undefined;
  /** What the database just said about `hash`. */
  set(hash: string, entry: VerifiedCredential): void;
  delete(hash: string): void;
  /** Drops every entry of these credential ids (a sign-out, a revocation, an expiry). */
  forget(credentialIds: ReadonlySet<string>): void;
  readonly size: number;
}

export function createVerifiedCredentials(max: number): VerifiedCredentials {
  // Setting a key makes it the newest: insertion order is verification order, the first key the stalest.
  const entries = new BoundedMap<string, VerifiedCredential>(max);
  return {
    get(hash, time, maxAgeMs) {
      const entry = entries.get(hash);
      return entry && time - entry.verifiedMs < maxAgeMs ? entry : undefined;
    },
    set(hash, entry) {
      entries.set(hash, entry);
    },
    delete(hash) {
      entries.delete(hash);
    },
    forget(credentialIds) {
      for (const [hash, entry] of entries) if (credentialIds.has(entry.principal.credentialId)) entries.delete(hash);
    },
    get size() {
      return entries.size;
    },
  };
}

/** The entry's principal, or null once it has expired. */
export const unexpired = (entry: VerifiedCredential, time: number): Principal | null => (entry.expiresMs !== null && entry.expiresMs <= time ? null : entry.principal);
