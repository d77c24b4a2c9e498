import { guarded } from '@/lib/server/auth/guard';
import { deriveTopology } from '@/lib/model/topology/topology';
import { probableOrigins } from '@/lib/model/topology/graph';
import { fleetLikelyCause } from '@/lib/server/likely-cause';
import { json, jsonError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/v1/topology` (DESIGN §4): nodes and edges, plus the probable origins of a current
 * failure. `?observed=only` returns just the observed edges (`{"edges":[…]}`): the map takes the
 * nodes and declared edges from its live state and polls this for call statistics. `?origins=only`
 * returns just the origins, each with its node's kind, and whether most of the fleet left etcd
 * together (`{"revision","origins":[…],"sharedDeparture":{…}|null}`, `fleetLikelyCause`: what the
 * Alerts page opens with): what the services list and a service page poll, to say where the failure
 * probably starts.
 */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { latency, store }) => {
    const params = new URL(request.url).searchParams;
    const observedMode = params.get('observed');
    const originsMode = params.get('origins');
    if (observedMode !== null && observedMode !== 'only') return jsonError(422, 'invalid', 'observed: expected "only"', 'observed');
    if (originsMode !== null && originsMode !== 'only') return jsonError(422, 'invalid', 'origins: expected "only"', 'origins');
    if (observedMode !== null && originsMode !== null) return jsonError(422, 'invalid', 'observed and origins: ask for one', 'origins');
    if (originsMode === 'only') {
      // From the summaries the map draws, built once per store change and shared with the Alerts page.
      const summaries = store.summarySnapshot();
      const { origins, departure } = fleetLikelyCause(summaries, () => latency.edges(), Date.now());
      return json({ revision: summaries.revision, origins, sharedDeparture: departure });
    }
    const observed = latency.edges();
    if (observedMode === 'only') return json({ edges: deriveTopology([], observed).edges });
    const snapshot = store.snapshot();
    const topology = deriveTopology(snapshot.services, observed);
    return json({ revision: snapshot.revision, ...topology, origins: probableOrigins(topology, { now: Date.now() }) });
  });
}
