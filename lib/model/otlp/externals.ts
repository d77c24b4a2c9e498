import type { ExternalNodes } from './observations';

/**
 * Names of external nodes (callees the registry does not know), at most `cap` at a time: a name
 * unseen for `ttlMs` frees its place. A new name beyond the cap is refused and counted.
 */
export function createExternalNodes(options: { cap: number; ttlMs: number; now: () => number }): ExternalNodes & { stats(): { nodes: number; refused: number } } {
  const seen = new Map<string, number>();
  let refused = 0;
  let lastExpiry = Number.NEGATIVE_INFINITY;
  return {
    admit(name) {
      const now = options.now();
      // At most once a second: reaching a Map's first entry walks past every entry deleted since it last compacted.
      if (now - lastExpiry >= 1_000) {
        lastExpiry = now;
        for (const [key, at] of seen) {
          if (now - at < options.ttlMs) break;
          seen.delete(key);
        }
      }
      if (!seen.has(name) && seen.size >= options.cap) {
        refused += 1;
        return false;
      }
      seen.delete(name);
      seen.set(name, now);
      return true;
    },
    stats: () => ({ nodes: seen.size, refused }),
  };
}
