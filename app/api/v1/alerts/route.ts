import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/**
 * `GET /api/v1/alerts`: alerts firing, suppressed (with the origin holding them) and pending, the
 * recently resolved ones, and each delivery target's state with the latest failures.
 */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { alerts }) => json(alerts.snapshot()));
}
