import type { Delta } from '@/lib/model/live';
import type { EdgeStats } from '@/lib/model/latency';

/**
 * Which registry deltas can change the map's node set: an instance appearing or going, or one
 * whose service, dependencies or metadata (external dependencies' kinds) change. A probe result
 * (status) or a drain is none of those, and never costs the layout cache a look.
 */
export function structuralChanges(): (delta: Delta) => boolean {
  const signatures = new Map<string, string>();
  return (delta) => {
    let changed = false;
    for (const change of delta.changes) {
      if (change.op === 'remove') {
        changed = signatures.delete(change.key) || changed;
        continue;
      }
      const { key, service, dependsOn, metadata } = change.instance;
      const signature = `${service}\u0000${(dependsOn ?? []).join(',')}\u0000${JSON.stringify(metadata)}`;
      if (signatures.get(key) !== signature) {
        signatures.set(key, signature);
        changed = true;
      }
    }
    return changed;
  };
}

/** The pairs that call each other: new ones may name a dependency nobody registered (a new node). */
export function observedPairsKey(edges: readonly EdgeStats[]): string {
  return edges
    .map((edge) => `${edge.from}\u0000${edge.to}`)
    .sort()
    .join('\u0001');
}
