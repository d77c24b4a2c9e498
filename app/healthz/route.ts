import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Liveness: the process answers. */
export function GET(): Response {
  return json({ status: 'ok' });
}
