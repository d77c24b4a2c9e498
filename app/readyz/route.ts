import { json, withRuntime } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Readiness: etcd reachable and the registry view in sync with it. */
export function GET(): Promise<Response> {
  return withRuntime(({ store }) => {
    const registry = store.registryStatus();
    return json({ status: registry.state === 'synced' ? 'ready' : 'not_ready', registry }, registry.state === 'synced' ? 200 : 503);
  });
}
