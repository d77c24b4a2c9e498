import { guarded } from '@/lib/server/auth/guard';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', async () => {
    const { registry } = getRuntime().metrics;
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
  });
}
