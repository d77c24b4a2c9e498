import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Who the request acts as: `{"name","role","kind","scope"?}`. */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (principal) =>
    json({ name: principal.name, role: principal.role, kind: principal.kind, ...(principal.scope ? { scope: principal.scope } : {}) }),
  );
}
