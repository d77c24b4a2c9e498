import { ChangePasswordRequestSchema } from '@/lib/model/auth';
import { clearedSessionCookie } from '@/lib/server/auth/cookies';
import { guarded } from '@/lib/server/auth/guard';
import { json, jsonError, readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Changes the signed-in user's own password; every session of theirs ends, this one included. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, 'viewer', async (principal, runtime) => {
    if (principal.kind !== 'session') return jsonError(403, 'forbidden', 'tokens cannot change passwords');
    const body = await readJsonBody(request, 4 * 1024);
    if (!body.ok) return body.response;
    const parsed = ChangePasswordRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const outcome = await runtime.auth.changeOwnPassword(principal.name, parsed.data.currentPassword, parsed.data.newPassword);
    if (!outcome.ok) return jsonError(outcome.status, outcome.code, outcome.message);
    const response = json({ changed: true });
    response.headers.append('set-cookie', clearedSessionCookie(runtime.config));
    return response;
  });
}
