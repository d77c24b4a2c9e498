import { actorName, UpdateUserRequestSchema } from '@/lib/model/auth';
import { guarded } from '@/lib/server/auth/guard';
import { json, jsonError, readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ name: string }> };

/** `{"role"?,"password"?,"disabled"?}`: a password reset, demotion or disabling ends the user's sessions. */
export async function PATCH(request: Request, context: Context): Promise<Response> {
  const { name } = await context.params;
  return guarded(request, 'admin', async (principal, runtime) => {
    const body = await readJsonBody(request, 4 * 1024);
    if (!body.ok) return body.response;
    const parsed = UpdateUserRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const outcome = await runtime.auth.users.update(name, parsed.data, actorName(principal));
    return outcome.ok ? json(outcome.user) : jsonError(outcome.status, outcome.code, outcome.message);
  });
}

export async function DELETE(request: Request, context: Context): Promise<Response> {
  const { name } = await context.params;
  return guarded(request, 'admin', async (principal, runtime) => {
    const outcome = await runtime.auth.users.remove(name, actorName(principal));
    return outcome.ok ? json({ deleted: name }) : jsonError(outcome.status, outcome.code, outcome.message);
  });
}
