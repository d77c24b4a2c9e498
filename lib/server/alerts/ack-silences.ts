import { z } from 'zod';
import type { AlertView } from '@/lib/model/alerts/engine';
import { deleteResource, getJson, postJson } from './post';

/**
 * An acknowledgement in Alertmanager is a silence on the alert's identifying labels (what karma and
 * alerta do): Alertmanager stops repeating it, yet the alert itself keeps being re-sent, so nothing
 * auto-resolves it there. Each silence lasts an hour and is renewed while the acknowledgement lasts,
 * so one left behind by a Switchyard that died lifts itself.
 */
export const ACK_SILENCE_MS = 3_600_000;
/** Renewed when less than this is left: the resender comes by every minute or so. */
const RENEW_BELOW_MS = 30 * 60_000;
/** Alertmanager's silence list (expired ones included, kept 5 days there) read at most this big. */
const MAX_SILENCES_BYTES = 8 * 1024 * 1024;

const MatcherSchema = z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().optional() });
type Matcher = z.infer<typeof MatcherSchema>;

/** Alertmanager API v2 `gettableSilence`, the fields used. */
const GettableSilenceSchema = z.object({
  id: z.string().min(1).max(200),
  status: z.object({ state: z.string() }),
  comment: z.string(),
  createdBy: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  matchers: z.array(MatcherSchema),
});
export type GettableSilence = z.infer<typeof GettableSilenceSchema>;

/** The acknowledgement a silence stands for: its id closes the comment. */
const MARKER = /\(ack ([0-9a-f-]{36})\)$/;

export interface WantedSilence {
  ackId: string;
  matchers: Matcher[];
  createdBy: string;
  comment: string;
}

/** The silence a firing, acknowledged alert should have in Alertmanager (undefined when not acknowledged). */
export function wantedSilence(alert: AlertView): WantedSilence | undefined {
  const ack = alert.acknowledged;
  if (alert.state !== 'firing' || !ack) return undefined;
  const { alertname, service, instance } = alert.labels;
  const matchers: Matcher[] = [
    { name: 'alertname', value: alertname, isRegex: false, isEqual: true },
    { name: 'service', value: service, isRegex: false, isEqual: true },
    ...(instance !== undefined ? [{ name: 'instance', value: instance, isRegex: false, isEqual: true }] : []),
  ];
  return { ackId: ack.id, matchers, createdBy: ack.by, comment: `Acknowledged in Switchyard: ${ack.reason ?? 'no reason given'} (ack ${ack.id})` };
}

export interface SilencePlan {
  /** `POST /api/v2/silences` bodies: new silences, and renewals (with the id, same start and matchers). */
  post: Record<string, unknown>[];
  /** Ids to expire: acknowledgements that ended (resolved or withdrawn), and duplicates. */
  expire: string[];
}

/** What to change so Alertmanager holds exactly one live silence per wanted acknowledgement and none for the others. Pure. */
export function planSilences(existing: readonly GettableSilence[], wanted: readonly WantedSilence[], nowMs: number): SilencePlan {
  const ours = new Map<string, GettableSilence[]>();
  for (const silence of existing) {
    const ackId = MARKER.exec(silence.comment)?.[1];
    if (ackId === undefined || (silence.status.state !== 'active' && silence.status.state !== 'pending')) continue;
    ours.set(ackId, [...(ours.get(ackId) ?? []), silence]);
  }
  const endsAt = new Date(nowMs + ACK_SILENCE_MS).toISOString();
  const plan: SilencePlan = { post: [], expire: [] };
  const wantedIds = new Set<string>();
  for (const want of wanted) {
    wantedIds.add(want.ackId);
    const [current, ...duplicates] = ours.get(want.ackId) ?? [];
    plan.expire.push(...duplicates.map((silence) => silence.id));
    if (!current) plan.post.push({ matchers: want.matchers, startsAt: new Date(nowMs).toISOString(), endsAt, createdBy: want.createdBy, comment: want.comment });
    else if (!(Date.parse(current.endsAt) - nowMs >= RENEW_BELOW_MS)) plan.post.push({ id: current.id, matchers: current.matchers, startsAt: current.startsAt, endsAt, createdBy: current.createdBy, comment: current.comment });
  }
  for (const [ackId, silences] of ours) if (!wantedIds.has(ackId)) plan.expire.push(...silences.map((silence) => silence.id));
  return plan;
}

/** Brings one Alertmanager's acknowledgement silences in line with the acknowledged alerts firing now. */
export async function syncAckSilences(baseUrl: string, wanted: readonly WantedSilence[], nowMs: number, timeoutMs: number): Promise<void> {
  const base = baseUrl.replace(/\/+$/, '');
  const listed = await getJson(`${base}/api/v2/silences`, timeoutMs, MAX_SILENCES_BYTES);
  const existing = (Array.isArray(listed) ? listed : []).flatMap((item) => {
    const parsed = GettableSilenceSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const plan = planSilences(existing, wanted, nowMs);
  for (const body of plan.post) await postJson(`${base}/api/v2/silences`, JSON.stringify(body), {}, timeoutMs);
  for (const id of plan.expire) await deleteResource(`${base}/api/v2/silence/${encodeURIComponent(id)}`, timeoutMs);
}
