import { actorName } from '@/lib/model/auth';
import { AckRequestSchema } from '@/lib/model/alerts/acks';
import { guarded, outOfScope } from '@/lib/server/auth/guard';
import { json, jsonError, readJsonBody, validationError } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

const MAX_ACK_BODY_BYTES = 4 * 1024;

const REFUSALS = {
  not_found: [404, 'no such alert is active'],
  not_firing: [409, 'only a firing alert can be acknowledged (this one is pending, suppressed or silenced)'],
  already_acknowledged: [409, 'this alert is already acknowledged'],
  severity_changed: [409, 'this alert fires at a higher severity than the one you saw: look at it again before acknowledging'],
} as const;

/** `POST /api/v1/alerts/acks` `{alertname, service, severity?, reason?}` (operator): acknowledges one firing alert; audited. */
export function POST(request: Request): Promise<Response> {
  return guarded(request, 'operator', async (principal, { alerts }) => {
    const body = await readJsonBody(request, MAX_ACK_BODY_BYTES);
    if (!body.ok) return body.response;
    const parsed = AckRequestSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const refused = outOfScope(principal, parsed.data.service);
    if (refused) return refused;
    const outcome = await alerts.acknowledge(parsed.data, actorName(principal));
    if (outcome.ok) return json(outcome.ack, 201);
    const [status, message] = REFUSALS[outcome.code];
    return jsonError(status, outcome.code, message);
  });
}
