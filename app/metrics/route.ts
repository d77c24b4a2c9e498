import { guarded } from '@/lib/server/auth/guard';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', async (_principal, { metrics: { registry } }) => {
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
  });
}
