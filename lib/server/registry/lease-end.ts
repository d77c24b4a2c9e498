import { BoundedMap } from '@/lib/model/bounded-map';

/**
 * What became of a lease whose key vanished. etcd deletes a lease's keys the same way whether the
 * lease was revoked or ran out, and forgets the lease either way, so the only honest verdicts are:
 * the lease is still alive (the key was deleted), it ended before it could possibly have expired
 * (revoked), it ended (revoked or expired: etcd cannot say which), or etcd did not answer.
 */
export type LeaseEnd = 'alive' | 'revoked' | 'ended' | 'unknown';

export interface LeaseEndOptions {
  /** Remaining seconds etcd reports for the lease; ≤ 0 once it no longer exists. */
  remainingSeconds: (lease: string) => Promise<number>;
  /**
   * The earliest moment (ms) the lease could expire by itself, from an earlier look at its
   * remaining TTL (keep-alives only push it later); undefined when never looked at.
   */
  earliestExpiry: (lease: string) => number | undefined;
  /** Called once a lease is known to be gone, so per-lease facts can be dropped. */
  onEnded?: (lease: string) => void;
  now?: () => number;
}

/** Verdicts kept per (lease, delete revision) and per ended lease, oldest dropped first. */
const MAX_REMEMBERED = 4_096;

/**
 * One lookup per lease and delete revision, shared by every key deleted with it: a lease with
 * 5,000 keys ends in one revision and costs one question to etcd, and all 5,000 get one verdict.
 */
export function createLeaseEndJudge(options: LeaseEndOptions) {
  const now = options.now ?? Date.now;
  const byDeletion = new BoundedMap<string, Promise<LeaseEnd>>(MAX_REMEMBERED);
  const ended = new BoundedMap<string, LeaseEnd>(MAX_REMEMBERED);

  const ask = async (lease: string, seenAt: number): Promise<LeaseEnd> => {
    let remaining: number;
    try {
      remaining = await options.remainingSeconds(lease);
    } catch {
      return 'unknown';
    }
    if (remaining > 0) return 'alive';
    const earliest = options.earliestExpiry(lease);
    const verdict: LeaseEnd = earliest !== undefined && seenAt < earliest ? 'revoked' : 'ended';
    ended.set(lease, verdict);
    options.onEnded?.(lease);
    return verdict;
  };

  return {
    /** Why the key holding `lease` was deleted at `revision`, judged at the moment it was seen. */
    judge(lease: string, revision: string): Promise<LeaseEnd> {
      const final = ended.get(lease);
      if (final) return Promise.resolve(final);
      const id = `${lease}@${revision}`;
      const known = byDeletion.get(id);
      if (known) return known;
      const verdict = ask(lease, now());
      byDeletion.set(id, verdict);
      return verdict;
    },
  };
}
