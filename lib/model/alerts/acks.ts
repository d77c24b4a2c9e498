import { z } from 'zod';
import { FleetNameSchema, withoutNul } from '../drain';
import type { AlertLabels } from './conditions';
import { AlertNameSchema, type AlertName } from './rules';

export const MAX_ACK_REASON = 500;

/**
 * `POST /api/v1/alerts/acks`: one firing alert (its alertname and service labels), with an optional
 * reason, and the severity the operator saw: an alert whose severity is part of its identity
 * (SEVERITY_IN_KEY) may have given way to one of the other severity since, which it must not cover.
 */
export const AckRequestSchema = z
  .object({
    alertname: AlertNameSchema,
    // In the body, not a URL: any name the registry lists, `..` included.
    service: FleetNameSchema,
    severity: z.enum(['critical', 'warning']).optional(),
    reason: z.string().trim().max(MAX_ACK_REASON).refine(withoutNul, 'must not contain a NUL character').optional(),
  })
  .strict();
export type AckRequest = z.infer<typeof AckRequestSchema>;

/**
 * An operator's acknowledgement of one firing alert: someone is on it. It covers that firing only
 * (it ends when the alert resolves; a later firing notifies again) or until it is removed.
 */
export interface Ack {
  id: string;
  alertname: AlertName;
  service: string;
  reason?: string;
  /** Who acknowledged it (a user, or `token:<name>`). */
  by: string;
  at: string;
}

/** The active acknowledgement of the alert with these labels, unless it was already used up by an earlier firing. */
export function ackFor(acks: readonly Ack[], labels: Pick<AlertLabels, 'service' | 'alertname'>, usedUp: ReadonlySet<string>): Ack | undefined {
  return acks.find((ack) => ack.alertname === labels.alertname && ack.service === labels.service && !usedUp.has(ack.id));
}
