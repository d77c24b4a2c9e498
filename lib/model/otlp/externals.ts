import type { ExternalNodes } from './observations';

/**
 * Names of external nodes (callees the registry does not know), at most `cap` at a time: a name
 * unseen for `ttlMs` frees its place. A new name beyond the cap is refused and counted.
 */
export function createExternalNodes(options: { cap: number; ttlMs: number; now: () => number }): ExternalNodes & { stats(): { nodes: number; refused: number } } {
  const seen = new Map<string, number>();
  let refused = 0;
  return {
    admit(name) {
      const now = options.now();
      for (const [key, at] of seen) {
        if (now - at < options.ttlMs) break;
        seen.delete(key);
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
