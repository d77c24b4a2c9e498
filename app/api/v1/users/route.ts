import { actorName, CreateUserRequestSchema } from '@/lib/model/auth';
import { guarded } from '@/lib/server/auth/guard';
import { json, jsonError, readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Users (admin only). */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'admin', async (_principal, runtime) => json({ users: await runtime.auth.users.list() }));
}

/** `{"name","role","password"}` → the user; 409 when the name is taken. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, 'admin', async (principal, runtime) => {
    const body = await readJsonBody(request, 4 * 1024);
    if (!body.ok) return body.response;
    const parsed = CreateUserRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const outcome = await runtime.auth.users.create(parsed.data, actorName(principal));
    return outcome.ok ? json(outcome.user, 201) : jsonError(outcome.status, outcome.code, outcome.message);
  });
}
