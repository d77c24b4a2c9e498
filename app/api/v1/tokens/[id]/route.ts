import { actorName } from '@/lib/model/auth';
import { guarded } from '@/lib/server/auth/guard';
import { json, jsonError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Revokes a token at once (its open sockets close); the record stays for the audit trail. */
export async function DELETE(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  return guarded(request, 'admin', async (principal, runtime) => {
    const outcome = await runtime.auth.tokens.revoke(id, actorName(principal));
    return outcome.ok ? json(outcome.token) : jsonError(outcome.status, outcome.code, outcome.message);
  });
}
