import { actorName } from '@/lib/model/auth';
import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Ends every session of a user (a lost laptop), closing their live connections. */
export async function DELETE(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  const { name } = await context.params;
  return guarded(request, 'admin', async (principal, runtime) => json({ ended: await runtime.auth.logoutEverywhere(name, actorName(principal)) }));
}
