import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';
import { windowParam } from '@/lib/server/latency-query';

export const dynamic = 'force-dynamic';

/** Inbound latency, rate and errors of a service as its callers report them (DESIGN §4). */
export async function GET(request: Request, context: { params: Promise<{ service: string }> }): Promise<Response> {
  const { service } = await context.params;
  return guarded(request, 'viewer', (_principal, { latency }) => {
    const query = windowParam(request);
    if (!query.ok) return query.response;
    return json({ service, window: query.window, stepSeconds: query.stepSeconds, points: latency.service(service, query.window), arrivingFrom: latency.serviceArrivingFrom(service) });
  });
}
