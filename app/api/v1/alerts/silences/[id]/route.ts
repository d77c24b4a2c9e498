import { z } from 'zod';
import { actorName } from '@/lib/model/auth';
import { guarded, outOfScope } from '@/lib/server/auth/guard';
import { json, jsonError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** `DELETE /api/v1/alerts/silences/{id}` (operator): lifts a silence before it ends; audited. */
export async function DELETE(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  return guarded(request, 'operator', async (principal, { alerts }) => {
    if (!z.uuid().safeParse(id).success) return jsonError(404, 'not_found', 'no such active silence');
    // From the store, not this replica's cache: a silence another replica just made must be scope-checked too.
    const silence = await alerts.findSilence(id);
    if (!silence) return jsonError(404, 'not_found', 'no such active silence');
    const refused = outOfScope(principal, silence.service);
    if (refused) return refused;
    const ended = await alerts.unsilence(id, actorName(principal));
    return ended ? json(ended) : jsonError(404, 'not_found', 'no such active silence');
  });
}
