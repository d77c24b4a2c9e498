import { z } from 'zod';
import { actorName } from '@/lib/model/auth';
import { guarded, outOfScope } from '@/lib/server/auth/guard';
import { json, jsonError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** `DELETE /api/v1/alerts/acks/{id}` (operator): withdraws an acknowledgement; audited. */
export async function DELETE(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  return guarded(request, 'operator', async (principal, { alerts }) => {
    if (!z.uuid().safeParse(id).success) return jsonError(404, 'not_found', 'no such active acknowledgement');
    // From the store, not this replica's cache: one another replica just took must be scope-checked too.
    const ack = await alerts.findAck(id);
    if (!ack) return jsonError(404, 'not_found', 'no such active acknowledgement');
    const refused = outOfScope(principal, ack.service);
    if (refused) return refused;
    const ended = await alerts.unacknowledge(id, actorName(principal));
    return ended ? json(ended) : jsonError(404, 'not_found', 'no such active acknowledgement');
  });
}
