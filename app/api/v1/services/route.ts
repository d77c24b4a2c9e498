import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { store }) => {
    const snapshot = store.snapshot();
    return json({ revision: snapshot.revision, services: snapshot.services });
  });
}
