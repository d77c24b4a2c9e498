import { actorName } from '@/lib/model/auth';
import { guarded, outOfScope } from '@/lib/server/auth/guard';
import { BulkDrainRequestSchema } from '@/lib/model/drain';
import { MAX_DRAIN_BODY_BYTES, pathNames } from '@/lib/server/drain-http';
import { json, jsonError, readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Bulk drain: every undrained instance of the service in one zone and/or of one version, as one audited action. */
export async function POST(request: Request, context: { params: Promise<{ service: string }> }): Promise<Response> {
  const { service } = await context.params;
  return guarded(request, 'operator', async (principal, { drains }) => {
    const names = pathNames({ service });
    if (!names.ok) return names.response;
    const refused = outOfScope(principal, service);
    if (refused) return refused;
    const body = await readJsonBody(request, MAX_DRAIN_BODY_BYTES);
    if (!body.ok) return body.response;
    const parsed = BulkDrainRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const { zone, version, ...drain } = parsed.data;
    const description = [zone ? `zone ${zone}` : '', version ? `version ${version}` : ''].filter(Boolean).join(', ');
    const outcome = await drains.drainMatching(
      service,
      (instance) => (zone === undefined || instance.zone === zone) && (version === undefined || instance.version === version),
      drain,
      actorName(principal),
      description,
    );
    if (!outcome.ok) return jsonError(outcome.status, outcome.code, outcome.message, outcome.field);
    return json({ drained: outcome.instances, skipped: outcome.skipped });
  });
}
