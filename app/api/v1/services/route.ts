import { guarded } from '@/lib/server/auth/guard';
import { servicesListResponse } from '@/lib/server/services-list';

export const dynamic = 'force-dynamic';

/** The fleet, whole or a page at a time with `?limit=&cursor=` (DESIGN §4). */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { store }) => servicesListResponse(new URL(request.url), store.snapshot()));
}
