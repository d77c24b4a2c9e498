import { guarded } from '@/lib/server/auth/guard';
import { getRuntime } from '@/lib/server/runtime';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', () => json(getRuntime().registry.diagnostics()));
}
