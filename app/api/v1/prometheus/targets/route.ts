import { prometheusTargets } from '@/lib/model/prometheus/http-sd';
import { guarded } from '@/lib/server/auth/guard';
import { snapshotJson } from '@/lib/server/snapshot-bodies';

export const dynamic = 'force-dynamic';

/** Prometheus HTTP service discovery: every decoded instance as a scrape target (README "Prometheus"). */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, runtime) => {
    const snapshot = runtime.store.snapshot();
    return snapshotJson(snapshot, 'prometheus-targets', () => prometheusTargets(snapshot.services));
  });
}
