import { getRuntime } from '@/lib/server/runtime';
import { handle, json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return handle(() => {
    const snapshot = getRuntime().store.snapshot();
    return json({ revision: snapshot.revision, services: snapshot.services });
  });
}
