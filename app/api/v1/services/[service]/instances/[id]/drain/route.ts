import { actorName } from '@/lib/model/auth';
import { guarded, outOfScope } from '@/lib/server/auth/guard';
import { DrainRequestSchema } from '@/lib/model/drain';
import { drainResponse, MAX_DRAIN_BODY_BYTES, pathNames } from '@/lib/server/drain-http';
import { readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ service: string; id: string }> };

/** Drain (DESIGN §3–4): body `{"reason","ttlSeconds"?,"force"?}` → the instance, once the watch shows it. */
export async function POST(request: Request, context: Context): Promise<Response> {
  const { service, id } = await context.params;
  return guarded(request, 'operator', async (principal, { drains }) => {
    const names = pathNames({ service, id });
    if (!names.ok) return names.response;
    const refused = outOfScope(principal, service);
    if (refused) return refused;
    const body = await readJsonBody(request, MAX_DRAIN_BODY_BYTES);
    if (!body.ok) return body.response;
    const parsed = DrainRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    return drainResponse(await drains.drain(service, id, parsed.data, actorName(principal)));
  });
}

/** Undrain. */
export async function DELETE(request: Request, context: Context): Promise<Response> {
  const { service, id } = await context.params;
  return guarded(request, 'operator', async (principal, { drains }) => {
    const names = pathNames({ service, id });
    if (!names.ok) return names.response;
    const refused = outOfScope(principal, service);
    if (refused) return refused;
    return drainResponse(await drains.undrain(service, id, actorName(principal)));
  });
}
