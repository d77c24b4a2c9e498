import type { EdgeStats } from '@/lib/model/latency';
import type { ServiceSummary } from '@/lib/model/service-summary';
import { layoutSignatureOf } from '@/lib/model/topology/layout-input';
import type { ViewDelta } from '../store/views';

/**
 * Which summary batches can change the map's layout input: a service appearing or going, or its
 * layout signature (declared targets) changing. Judged per service from the summaries the store
 * keeps anyway, so a new instance (its own metadata values, a deploy scaling out), a probe result or
 * a drain is never a look, and the state is one string per service, not one entry per instance.
 * `known`: the summaries as they are when the watch starts (it hears only what changes after).
 */
export function structuralChanges(known: readonly ServiceSummary[]): (delta: ViewDelta) => boolean {
  const signatures = new Map(known.map((summary) => [summary.name, layoutSignatureOf(summary)]));
  return (delta) => {
    let changed = false;
    for (const summary of delta.summaryUpserts) {
      const signature = layoutSignatureOf(summary);
      if (signatures.get(summary.name) === signature) continue;
      signatures.set(summary.name, signature);
      changed = true;
    }
    for (const name of delta.summaryRemoves) if (signatures.delete(name)) changed = true;
    return changed;
  };
}

/**
 * Which nodes call which, as one string (order and weights aside): new observed pairs may name a
 * dependency nobody registered (a new node), and a layout's pairs are its shape.
 */
export function pairsKey(edges: readonly Pick<EdgeStats, 'from' | 'to'>[]): string {
  return edges
    .map((edge) => `${edge.from}\u0000${edge.to}`)
    .sort()
    .join('\u0001');
}
