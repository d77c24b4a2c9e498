import { guarded } from '@/lib/server/auth/guard';
import { deriveTopology } from '@/lib/model/topology';
import { probableOrigins } from '@/lib/model/topology-graph';
import { json, jsonError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/v1/topology` (DESIGN §4): nodes and edges, plus the probable origins of a current
 * failure. `?observed=only` returns just the observed edges (`{"edges":[…]}`): the map takes the
 * nodes and declared edges from its live state and polls this for call statistics.
 */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { latency, store }) => {
    const observed = latency.edges();
    const mode = new URL(request.url).searchParams.get('observed');
    if (mode !== null && mode !== 'only') return jsonError(422, 'invalid', 'observed: expected "only"', 'observed');
    if (mode === 'only') return json({ edges: deriveTopology([], observed).edges });
    const snapshot = store.snapshot();
    const topology = deriveTopology(snapshot.services, observed);
    return json({ revision: snapshot.revision, ...topology, origins: probableOrigins(topology) });
  });
}
