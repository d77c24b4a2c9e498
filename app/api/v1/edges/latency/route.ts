import { guarded } from '@/lib/server/auth/guard';
import { z } from 'zod';
import { json, validationError } from '@/lib/server/http';
import { windowParam } from '@/lib/server/latency-query';

export const dynamic = 'force-dynamic';

const EdgeQuerySchema = z.object({ from: z.string().min(1).max(256), to: z.string().min(1).max(256) });

/** One edge's series (`?from=&to=&window=`), for the topology map's edge panel. */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { latency }) => {
    const query = windowParam(request);
    if (!query.ok) return query.response;
    const params = new URL(request.url).searchParams;
    const edge = EdgeQuerySchema.safeParse({ from: params.get('from') ?? undefined, to: params.get('to') ?? undefined });
    if (!edge.success) return validationError(edge.error);
    const { from, to } = edge.data;
    return json({ from, to, window: query.window, stepSeconds: query.stepSeconds, points: latency.edge(from, to, query.window) });
  });
}
