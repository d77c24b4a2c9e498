import { actorName } from '@/lib/model/auth';
import { SilenceRequestSchema } from '@/lib/model/alerts/silences';
import { guarded, outOfScope } from '@/lib/server/auth/guard';
import { json, jsonError, readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

const MAX_SILENCE_BODY_BYTES = 4 * 1024;

/** `POST /api/v1/alerts/silences` `{service, alertname?, reason, durationSeconds}` (operator): audited; 409 `too_many_silences` past the caps. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, 'operator', async (principal, { alerts }) => {
    const body = await readJsonBody(request, MAX_SILENCE_BODY_BYTES);
    if (!body.ok) return body.response;
    const parsed = SilenceRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const refused = outOfScope(principal, parsed.data.service);
    if (refused) return refused;
    const creation = await alerts.silence(parsed.data, actorName(principal));
    return creation.ok ? json(creation.silence, 201) : jsonError(409, 'too_many_silences', creation.message);
  });
}
