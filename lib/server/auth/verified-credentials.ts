import type { Principal } from '@/lib/model/auth';
import { dropOldest } from '@/lib/model/bounded-map';

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
  const entries = new Map<string, VerifiedCredential>();
  return {
    get(hash, time, maxAgeMs) {
      const entry = entries.get(hash);
      return entry && time - entry.verifiedMs < maxAgeMs ? entry : undefined;
    },
    set(hash, entry) {
      // Deleted first so that insertion order is verification order: the first key is the stalest.
      entries.delete(hash);
      entries.set(hash, entry);
      dropOldest(entries, max);
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
