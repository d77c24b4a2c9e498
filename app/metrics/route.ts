import { getRuntime } from '@/lib/server/runtime';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return handle(async () => {
    const { registry } = getRuntime().metrics;
    return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
  });
}
