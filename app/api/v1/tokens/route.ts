import { actorName, CreateTokenRequestSchema } from '@/lib/model/auth';
import { guarded } from '@/lib/server/auth/guard';
import { json, readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** API tokens, without their secrets (admin only). */
export function GET(request: Request): Promise<Response> {
  return guarded(request, 'admin', async (_principal, runtime) => json({ tokens: await runtime.auth.tokens.list() }));
}

/** `{"name","role","service"?,"expiresInDays"?}` → `{"token":<secret, shown once>, …}`. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, 'admin', async (principal, runtime) => {
    const body = await readJsonBody(request, 4 * 1024);
    if (!body.ok) return body.response;
    const parsed = CreateTokenRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const created = await runtime.auth.tokens.create(parsed.data, actorName(principal));
    return json({ ...created.token, token: created.secret }, 201);
  });
}
