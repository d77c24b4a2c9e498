/**
 * Rendezvous (highest random weight) hashing: each key goes to the member whose hash of
 * (member, key) is highest. Every replica computes the same owner from the same member list with
 * no coordination, and when a member leaves only its own keys move (to whoever scores next).
 */

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser so close inputs spread over all 32 bits. */
function score(member: string, key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < member.length; i += 1) hash = Math.imul(hash ^ member.charCodeAt(i), 0x01000193);
  // A separator no member id contains keeps ("ab","c") and ("a","bc") apart.
  hash = Math.imul(hash ^ 0xffff, 0x01000193);
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The member that owns `key`, or undefined when there are no members. Ties go to the smaller id. */
export function ownerOf(key: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const member of members) {
    const s = score(member, key);
    if (s > bestScore || (s === bestScore && best !== undefined && member < best)) {
      best = member;
      bestScore = s;
    }
  }
  return best;
}
