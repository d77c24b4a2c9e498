import { guarded } from '@/lib/server/auth/guard';
import { EventQuerySchema } from '@/lib/model/events';
import { json, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Failure history, newest first, filtered, with cursor pagination (DESIGN §4). */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', async (_principal, { history }) => {
    const parsed = EventQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return validationError(parsed.error);
    return json(await history.query(parsed.data));
  });
}
