import { guarded } from '@/lib/server/auth/guard';
import { getRuntime } from '@/lib/server/runtime';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', () => {
    const runtime = getRuntime();
    // Nodes outside the registry named by OTLP data, held within a cap, and the new names it refused.
    return json({ ...runtime.registry.diagnostics(), externalNodes: runtime.otlp.externalNodes() });
  });
}
