import { z } from 'zod';
import { FleetNameSchema, withoutNul } from '../drain';
import type { AlertLabels } from './conditions';
import { AlertNameSchema, type AlertName } from './rules';

export const MAX_SILENCE_REASON = 500;
/** Thirty days: longer is a rule change (SWITCHYARD_ALERT_RULES `disabled`), not a silence. */
export const MAX_SILENCE_SECONDS = 30 * 86_400;

/** `POST /api/v1/alerts/silences`: one service's alerts (or one of them) for a while, with a reason. */
export const SilenceRequestSchema = z
  .object({
    // In the body, not a URL: any name the registry lists, `..` included.
    service: FleetNameSchema,
    alertname: AlertNameSchema.optional(),
    reason: z.string().trim().min(1, 'a reason is required').max(MAX_SILENCE_REASON).refine(withoutNul, 'must not contain a NUL character'),
    durationSeconds: z.number().int().min(60).max(MAX_SILENCE_SECONDS),
  })
  .strict();
export type SilenceRequest = z.infer<typeof SilenceRequestSchema>;

export interface Silence {
  id: string;
  service: string;
  alertname?: AlertName;
  reason: string;
  /** Who silenced it (a user, or `token:<name>`). */
  by: string;
  createdAt: string;
  until: string;
}

/** The first active silence that covers an alert with these labels. */
export function silenceFor(silences: readonly Silence[], labels: Pick<AlertLabels, 'service' | 'alertname'>, nowMs: number): Silence | undefined {
  return silences.find((silence) => silence.service === labels.service && (silence.alertname === undefined || silence.alertname === labels.alertname) && Date.parse(silence.until) > nowMs);
}
