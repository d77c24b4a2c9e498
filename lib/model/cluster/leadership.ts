/**
 * Which replica leads, decided the way etcd's own election recipe does: among the live member keys
 * the one created first (smallest create revision) leads. Every replica sees the same keys, so
 * they agree without a second protocol; a leader's key vanishes when its lease does.
 */

export interface MemberKey {
  id: string;
  /** etcd's create revision of the member's key, a decimal int64 string. */
  createRevision: string;
}

export function leaderOf(members: Iterable<MemberKey>): string | undefined {
  let leader: MemberKey | undefined;
  for (const member of members) {
    if (!leader) leader = member;
    else {
      const [mine, theirs] = [BigInt(member.createRevision), BigInt(leader.createRevision)];
      if (mine < theirs || (mine === theirs && member.id < leader.id)) leader = member;
    }
  }
  return leader?.id;
}

/**
 * A replica whose last successful lease keep-alive is older than this must act as if its lease
 * were gone. etcd expires a lease one TTL after the last keep-alive it answered, but etcd3's client
 * reports the loss only after two TTLs, so without this an old leader could act beside a new one
 * for up to a TTL. The margin covers the keep-alive answer's trip back to us.
 */
export function fenceAfterMs(ttlMs: number): number {
  return ttlMs - Math.min(1_000, ttlMs / 4);
}

export function isFenced(lastKeepAliveAt: number, now: number, ttlMs: number): boolean {
  return now - lastKeepAliveAt >= fenceAfterMs(ttlMs);
}
