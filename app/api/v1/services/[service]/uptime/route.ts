import { guarded } from '@/lib/server/auth/guard';
import { UPTIME_WINDOWS, UptimeQuerySchema } from '@/lib/model/uptime';
import { serviceUptime } from '@/lib/server/history/analysis';
import { json, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** A service's uptime and heartbeat strips over the last `window` (24h, 7d or 30d) in `buckets` cells. */
export async function GET(request: Request, context: { params: Promise<{ service: string }> }): Promise<Response> {
  const { service } = await context.params;
  return guarded(request, 'viewer', async (_principal, { history }) => {
    const parsed = UptimeQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return validationError(parsed.error);
    const { window, buckets } = parsed.data;
    const toMs = Date.now();
    const report = await serviceUptime(history, { service, fromMs: toMs - UPTIME_WINDOWS[window], toMs, buckets });
    return json({ ...report, window: { name: window, ...report.window } });
  });
}
