import { getRuntime } from '@/lib/server/runtime';
import { handle, json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return handle(() => json(getRuntime().registry.diagnostics()));
}
