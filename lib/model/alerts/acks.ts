import { z } from 'zod';
import { FleetNameSchema, withoutNul } from '../drain';
import { SEVERITY_IN_KEY, type AlertLabels, type Severity } from './conditions';
import { AlertNameSchema, type AlertName } from './rules';

export const MAX_ACK_REASON = 500;

export const SeveritySchema = z.enum(['critical', 'warning']) satisfies z.ZodType<Severity>;

/**
 * `POST /api/v1/alerts/acks`: one firing alert (its alertname and service labels), with an optional
 * reason, and the severity the operator saw: an alert whose severity is part of its identity
 * (SEVERITY_IN_KEY) may have given way to one of the other severity since, or fire at another on the
 * replica that draws the page; the acknowledgement covers that severity only.
 */
export const AckRequestSchema = z
  .object({
    alertname: AlertNameSchema,
    // In the body, not a URL: any name the registry lists, `..` included.
    service: FleetNameSchema,
    severity: SeveritySchema.optional(),
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
  /**
   * The severity acknowledged: for an alert whose severity is part of its identity (SEVERITY_IN_KEY)
   * it covers that severity only. Absent on acknowledgements taken before it was stored: they cover either.
   */
  severity?: Severity;
  reason?: string;
  /** Who acknowledged it (a user, or `token:<name>`). */
  by: string;
  at: string;
}

/** Whether an acknowledgement is of the alert with these labels: its name and service, and its severity where that is part of its identity. */
export const covers = (ack: Ack, labels: Pick<AlertLabels, 'service' | 'alertname' | 'severity'>): boolean =>
  ack.alertname === labels.alertname && ack.service === labels.service && (ack.severity === undefined || !SEVERITY_IN_KEY.has(labels.alertname) || ack.severity === labels.severity);

/** An acknowledgement's name in history: with its severity where that is part of the alert's identity. */
export const ackName = (ack: Ack): string => (ack.severity !== undefined && SEVERITY_IN_KEY.has(ack.alertname) ? `${ack.alertname} (${ack.severity})` : ack.alertname);

/** The active acknowledgement of the alert with these labels, unless it was already used up by an earlier firing. */
export function ackFor(acks: readonly Ack[], labels: Pick<AlertLabels, 'service' | 'alertname' | 'severity'>, usedUp: ReadonlySet<string>): Ack | undefined {
  return acks.find((ack) => covers(ack, labels) && !usedUp.has(ack.id));
}
