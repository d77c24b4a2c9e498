import { getRuntime } from '@/lib/server/runtime';
import { handle, json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Readiness: etcd reachable and the registry view in sync with it. */
export function GET(): Promise<Response> {
  return handle(() => {
    const registry = getRuntime().store.registryStatus();
    return json({ status: registry.state === 'synced' ? 'ready' : 'not_ready', registry }, registry.state === 'synced' ? 200 : 503);
  });
}
