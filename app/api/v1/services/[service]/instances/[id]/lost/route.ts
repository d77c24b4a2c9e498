import { actorName } from '@/lib/model/auth';
import { guarded, outOfScope } from '@/lib/server/auth/guard';
import { pathNames } from '@/lib/server/drain-http';
import { json, jsonError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ service: string; id: string }> };

/** Dismiss a lost instance (DESIGN §6): it leaves the lists at once; history records who dismissed it. */
export async function DELETE(request: Request, context: Context): Promise<Response> {
  const { service, id } = await context.params;
  return guarded(request, 'operator', (principal, { lost }) => {
    const names = pathNames({ service, id });
    if (!names.ok) return names.response;
    const refused = outOfScope(principal, service);
    if (refused) return refused;
    const outcome = lost.dismiss(service, id, actorName(principal));
    if (!outcome.ok) return jsonError(404, 'not_found', `no lost instance ${JSON.stringify(id)} in ${JSON.stringify(service)}`, 'id');
    return json({ dismissed: outcome.instance });
  });
}
