import { guarded } from '@/lib/server/auth/guard';
import { INCIDENT_LOOKBACK_MS, IncidentQuerySchema } from '@/lib/model/incidents';
import { incidentsIn } from '@/lib/server/history/analysis';
import { dependencyAdjacency } from '@/lib/model/topology/graph';
import { json, jsonError, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/**
 * Incidents newest first and MTTR per service; `since` defaults to 7 days before `until` (default
 * now). Each incident's `upstream` is judged on the map as it is now: declared and observed edges.
 */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', async (_principal, { history, store, latency }) => {
    const parsed = IncidentQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return validationError(parsed.error);
    const { service, since, until, limit } = parsed.data;
    const untilMs = until ? Date.parse(until) : Date.now();
    const sinceMs = since ? Date.parse(since) : untilMs - INCIDENT_LOOKBACK_MS;
    if (sinceMs >= untilMs) return jsonError(422, 'invalid', 'since: must be before until', 'since');
    const graph = dependencyAdjacency(store.summarySnapshot().services, latency.edgePairs());
    const result = await incidentsIn(history, { ...(service ? { service } : {}), sinceMs, untilMs, limit, graph });
    return json(result);
  });
}
