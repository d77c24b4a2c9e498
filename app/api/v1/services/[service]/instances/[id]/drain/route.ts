import { DrainRequestSchema } from '@/lib/model/drain';
import { actorOf, drainResponse, MAX_DRAIN_BODY_BYTES, pathNames } from '@/lib/server/drain-http';
import { handle, readJsonBody, validationError } from '@/lib/server/http';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ service: string; id: string }> };

/** Drain (DESIGN §3–4): body `{"reason","ttlSeconds"?,"force"?}` → the instance, once the watch shows it. */
export async function POST(request: Request, context: Context): Promise<Response> {
  const { service, id } = await context.params;
  return handle(async () => {
    const names = pathNames({ service, id });
    if (!names.ok) return names.response;
    const body = await readJsonBody(request, MAX_DRAIN_BODY_BYTES);
    if (!body.ok) return body.response;
    const parsed = DrainRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    return drainResponse(await getRuntime().drains.drain(service, id, parsed.data, actorOf(request)));
  });
}

/** Undrain. */
export async function DELETE(request: Request, context: Context): Promise<Response> {
  const { service, id } = await context.params;
  return handle(async () => {
    const names = pathNames({ service, id });
    if (!names.ok) return names.response;
    return drainResponse(await getRuntime().drains.undrain(service, id, actorOf(request)));
  });
}
