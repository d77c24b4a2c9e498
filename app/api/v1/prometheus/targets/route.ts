import { prometheusTargets } from '@/lib/model/prometheus/http-sd';
import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Prometheus HTTP service discovery: every decoded instance as a scrape target (README "Prometheus"). */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, runtime) => json(prometheusTargets(runtime.store.snapshot().services)));
}
