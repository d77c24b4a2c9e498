import { guarded } from '@/lib/server/auth/guard';
import { EventExportQuerySchema } from '@/lib/model/events';
import { exportEvents } from '@/lib/server/history/export';
import { validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** The filtered history as a CSV or JSON download (at most 100,000 events). */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { history }) => {
    const parsed = EventExportQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return validationError(parsed.error);
    const { format, ...filters } = parsed.data;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return new Response(exportEvents(history, { ...filters, limit: 1 }, format), {
      headers: {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="switchyard-events-${stamp}.${format}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
