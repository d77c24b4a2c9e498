import { actorName, ClearLockoutsQuerySchema } from '@/lib/model/auth';
import { guarded } from '@/lib/server/auth/guard';
import { json, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Addresses paused by the per-address sign-in limit, and locked accounts. */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'admin', async (_principal, runtime) => json(await runtime.auth.lockouts.list()));
}

/** `?address=&user=` clears those lockouts; neither clears every one. Audited. */
export function DELETE(request: Request): Promise<Response> {
  return guarded(request, 'admin', async (principal, runtime) => {
    const parsed = ClearLockoutsQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return validationError(parsed.error);
    return json(await runtime.auth.lockouts.clear(parsed.data, actorName(principal)));
  });
}
