import { guarded } from '@/lib/server/auth/guard';
import type { InstanceLatency } from '@/lib/model/latency';
import { TRAFFIC_WINDOW_SECONDS } from '@/lib/model/status/combine';
import { json } from '@/lib/server/http';
import { windowParam } from '@/lib/server/latency-query';
import { registeredKeyOf } from '@/lib/server/lost/tracker';

export const dynamic = 'force-dynamic';

/** Per-instance inbound and probe series of a service's registered instances (sparklines, probe chart), and each one's last 30 s of calls as its status weighs them. */
export async function GET(request: Request, context: { params: Promise<{ service: string }> }): Promise<Response> {
  const { service } = await context.params;
  return guarded(request, 'viewer', (_principal, { store, latency }) => {
    const query = windowParam(request);
    if (!query.ok) return query.response;
    const instances: InstanceLatency[] = [...store.instances()]
      .filter((instance) => instance.service === service)
      .map((instance) => ({
        id: instance.id,
        key: instance.key,
        inbound: latency.instance(service, instance.id, query.window),
        // A lost instance's probe history stays under the key it had while registered.
        probe: latency.probe(registeredKeyOf(instance.key), query.window),
        recent: latency.instanceRecent(service, instance.id, TRAFFIC_WINDOW_SECONDS),
      }));
    return json({ service, window: query.window, stepSeconds: query.stepSeconds, instances });
  });
}
