import { createHmac } from 'node:crypto';
import type { AlertView } from '@/lib/model/alerts/engine';

/** Alertmanager API v2 `postableAlert` (prometheus/alertmanager api/v2/openapi.yaml). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}

/** Labels as Alertmanager takes them: only the ones set (a missing zone is no empty label). */
function labelsOf(alert: AlertView): Record<string, string> {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(alert.labels)) if (typeof value === 'string' && value !== '') labels[name] = value;
  return labels;
}

function annotationsOf(alert: AlertView, consoleUrl: string): Record<string, string> {
  return {
    summary: alert.summary,
    description: alert.description,
    console: consoleUrl,
    ...(alert.holds && alert.holds.length > 0 ? { suppressed_callers: alert.holds.join(', ') } : {}),
    ...(alert.explainedBy !== undefined ? { probable_origin: alert.explainedBy } : {}),
  };
}

/** The console link: the public URL plus the alert's view. */
export const linkOf = (alert: AlertView, publicUrl: string): string => `${publicUrl}${alert.path}`;

/**
 * An alert for `POST /api/v2/alerts`: firing ones without `endsAt` (Alertmanager keeps them for
 * its resolve_timeout, and we re-send well within it), resolved ones with the time they ended.
 * startsAt is the condition's start, fixed, so a re-send is the same alert and notifies nobody again.
 */
export function toPostable(alert: AlertView, publicUrl: string): PostableAlert {
  const link = linkOf(alert, publicUrl);
  return {
    labels: labelsOf(alert),
    annotations: annotationsOf(alert, link),
    startsAt: alert.activeSince,
    ...(alert.resolvedAt !== undefined ? { endsAt: alert.resolvedAt } : {}),
    generatorURL: link,
  };
}

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  summary: string;
  description: string;
  startsAt: string;
  endsAt?: string;
  url: string;
  /** Callers whose alerts this one holds (it is their probable origin). */
  suppressedCallers?: string[];
}

/** The generic webhook's JSON body (README "Alerts"): one notification per evaluation that fired or resolved something. */
export function webhookBody(alerts: readonly AlertView[], publicUrl: string, sentAt: string): string {
  const items: WebhookAlert[] = alerts.map((alert) => ({
    status: alert.resolvedAt !== undefined ? 'resolved' : 'firing',
    labels: labelsOf(alert),
    summary: alert.summary,
    description: alert.description,
    startsAt: alert.activeSince,
    ...(alert.resolvedAt !== undefined ? { endsAt: alert.resolvedAt } : {}),
    url: linkOf(alert, publicUrl),
    ...(alert.holds && alert.holds.length > 0 ? { suppressedCallers: alert.holds } : {}),
  }));
  return JSON.stringify({ version: '1', source: 'switchyard', sentAt, alerts: items });
}

/** Slack's mrkdwn control characters (api.slack.com "Formatting text"): service names are fleet data. */
const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack incoming-webhook body (`{"text": …}`), one line per alert. */
export function slackBody(alerts: readonly AlertView[], publicUrl: string): string {
  const lines = alerts.map((alert) => {
    const resolved = alert.resolvedAt !== undefined;
    const head = `${resolved ? ':white_check_mark: RESOLVED' : alert.labels.severity === 'critical' ? ':red_circle: FIRING' : ':large_orange_circle: FIRING'} *${alert.labels.alertname}* ${slackEscape(alert.labels.service)}`;
    const held = alert.holds && alert.holds.length > 0 ? ` (holding alerts of ${slackEscape(alert.holds.join(', '))})` : '';
    return `${head}: ${slackEscape(alert.description)}${held} <${linkOf(alert, publicUrl)}|open>`;
  });
  return JSON.stringify({ text: lines.join('\n') });
}

export const SIGNATURE_HEADER = 'x-switchyard-signature';
export const TIMESTAMP_HEADER = 'x-switchyard-timestamp';

/**
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the timestamp is signed with the body so
 * a receiver can refuse replays of an old notification (it should also check the timestamp is recent).
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
