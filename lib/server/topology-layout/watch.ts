import type { Delta } from '@/lib/model/live';
import type { EdgeStats } from '@/lib/model/latency';

/**
 * Which registry deltas can change the map's node set: a service appearing or going, or a
 * dependency list or metadata (external dependencies' kinds) that no other instance of its service
 * has appearing or going. More instances like the ones there (a deploy scaling out), a probe result
 * or a drain are none of those, and never cost the layout cache a look.
 */
export function structuralChanges(): (delta: Delta) => boolean {
  const byKey = new Map<string, { service: string; signature: string }>();
  /** Per service, how many instances carry each signature. */
  const counts = new Map<string, Map<string, number>>();
  /** Adds `step` instances with a signature; true when the signature appeared or vanished. */
  const count = (service: string, signature: string, step: 1 | -1): boolean => {
    let signatures = counts.get(service);
    if (!signatures) counts.set(service, (signatures = new Map()));
    const next = (signatures.get(signature) ?? 0) + step;
    if (next > 0) signatures.set(signature, next);
    else signatures.delete(signature);
    if (signatures.size === 0) counts.delete(service);
    return next === 0 || (step === 1 && next === 1);
  };
  return (delta) => {
    let changed = false;
    for (const change of delta.changes) {
      const key = change.op === 'remove' ? change.key : change.instance.key;
      const before = byKey.get(key);
      const after =
        change.op === 'remove'
          ? undefined
          : { service: change.instance.service, signature: `${(change.instance.dependsOn ?? []).join(',')}\u0000${JSON.stringify(change.instance.metadata)}` };
      if (before?.service === after?.service && before?.signature === after?.signature) continue;
      if (before) changed = count(before.service, before.signature, -1) || changed;
      if (after) {
        byKey.set(key, after);
        changed = count(after.service, after.signature, 1) || changed;
      } else byKey.delete(key);
    }
    return changed;
  };
}

/** The pairs that call each other: new ones may name a dependency nobody registered (a new node). */
export function observedPairsKey(edges: readonly Pick<EdgeStats, 'from' | 'to'>[]): string {
  return edges
    .map((edge) => `${edge.from}\u0000${edge.to}`)
    .sort()
    .join('\u0001');
}
