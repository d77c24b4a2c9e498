import { z } from 'zod';
import { SEVERITY_IN_KEY } from '@/lib/model/alerts/conditions';
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

/**
 * What closes the comment of a silence this version makes: the acknowledgement it stands for and
 * the install that made it (history/install-id.ts). Installs sharing an Alertmanager each manage
 * only their own: matching on the acknowledgement alone, each took the others' for its own and
 * expired them (every acknowledgement of theirs, not one of its own), and they made them again.
 */
const MARKER = /\(ack ([0-9a-f-]{36}), switchyard ([0-9a-f-]{36})\)$/;
/** The same before installs were told apart: the acknowledgement alone. Ours when its id is in our store. */
const LEGACY_MARKER = /\(ack ([0-9a-f-]{36})\)$/;

export interface WantedSilence {
  ackId: string;
  matchers: Matcher[];
  createdBy: string;
  reason: string;
}

/** The silence a firing, acknowledged alert should have in Alertmanager (undefined when not acknowledged). */
export function wantedSilence(alert: AlertView): WantedSilence | undefined {
  const ack = alert.acknowledged;
  if (alert.state !== 'firing' || !ack) return undefined;
  const { alertname, service, instance, severity } = alert.labels;
  const matchers: Matcher[] = [
    { name: 'alertname', value: alertname, isRegex: false, isEqual: true },
    { name: 'service', value: service, isRegex: false, isEqual: true },
    ...(instance !== undefined ? [{ name: 'instance', value: instance, isRegex: false, isEqual: true }] : []),
    // A ServiceFlapping warning's acknowledgement must not mute the critical one it gives way to.
    ...(SEVERITY_IN_KEY.has(alertname) ? [{ name: 'severity', value: severity, isRegex: false, isEqual: true }] : []),
  ];
  return { ackId: ack.id, matchers, createdBy: ack.by, reason: ack.reason ?? 'no reason given' };
}

/** Whose silences are whose: this install's identity, and which acknowledgements named by silences of the previous format are ours. */
export interface SilenceOwner {
  installId: string;
  /** Acknowledgement ids (from silences of the previous format) found in this install's store, active or ended. */
  legacyAcks: ReadonlySet<string>;
}

const commentOf = (want: WantedSilence, installId: string): string => `Acknowledged in Switchyard: ${want.reason} (ack ${want.ackId}, switchyard ${installId})`;

/** A silence that silences now or will: expired ones are neither renewed nor expired again. */
const isLive = (silence: GettableSilence): boolean => silence.status.state === 'active' || silence.status.state === 'pending';

/** The acknowledgement a silence of the previous format names, if it is one. */
const legacyAckOf = (silence: GettableSilence): string | undefined => (MARKER.test(silence.comment) ? undefined : LEGACY_MARKER.exec(silence.comment)?.[1]);

/** The acknowledgement a silence stands for when it is this install's; undefined for anyone else's. */
function ownAck(silence: GettableSilence, owner: SilenceOwner, wantedIds: ReadonlySet<string>): string | undefined {
  const marked = MARKER.exec(silence.comment);
  if (marked) return marked[2] === owner.installId ? marked[1] : undefined;
  const legacy = legacyAckOf(silence);
  return legacy !== undefined && (wantedIds.has(legacy) || owner.legacyAcks.has(legacy)) ? legacy : undefined;
}

export interface SilencePlan {
  /** `POST /api/v2/silences` bodies: new silences, and renewals (with the id, same start and matchers). */
  post: Record<string, unknown>[];
  /** Ids to expire: acknowledgements that ended (resolved or withdrawn), and duplicates. */
  expire: string[];
}

/**
 * What to change so Alertmanager holds exactly one live silence per wanted acknowledgement and none
 * for this install's others; another install's silences are never touched. Pure.
 */
export function planSilences(existing: readonly GettableSilence[], wanted: readonly WantedSilence[], nowMs: number, owner: SilenceOwner): SilencePlan {
  const wantedIds = new Set(wanted.map((want) => want.ackId));
  const ours = new Map<string, GettableSilence[]>();
  for (const silence of existing) {
    if (!isLive(silence)) continue;
    const ackId = ownAck(silence, owner, wantedIds);
    if (ackId !== undefined) ours.set(ackId, [...(ours.get(ackId) ?? []), silence]);
  }
  const endsAt = new Date(nowMs + ACK_SILENCE_MS).toISOString();
  const plan: SilencePlan = { post: [], expire: [] };
  for (const want of wanted) {
    const [current, ...duplicates] = ours.get(want.ackId) ?? [];
    plan.expire.push(...duplicates.map((silence) => silence.id));
    const comment = commentOf(want, owner.installId);
    if (!current) plan.post.push({ matchers: want.matchers, startsAt: new Date(nowMs).toISOString(), endsAt, createdBy: want.createdBy, comment });
    // Renewed with this version's comment: a silence of the previous format becomes one carrying the install.
    else if (!(Date.parse(current.endsAt) - nowMs >= RENEW_BELOW_MS)) plan.post.push({ id: current.id, matchers: current.matchers, startsAt: current.startsAt, endsAt, createdBy: current.createdBy, comment });
  }
  for (const [ackId, silences] of ours) if (!wantedIds.has(ackId)) plan.expire.push(...silences.map((silence) => silence.id));
  return plan;
}

/** The install whose silences a sync manages, and its store's answer to which previous-format acknowledgements are its own. */
export interface SyncOwner {
  installId: string;
  ownAcks(ackIds: readonly string[]): Promise<ReadonlySet<string>>;
}

/** Brings one Alertmanager's acknowledgement silences of this install in line with the acknowledged alerts firing now. */
export async function syncAckSilences(baseUrl: string, wanted: readonly WantedSilence[], nowMs: number, timeoutMs: number, owner: SyncOwner): Promise<void> {
  const base = baseUrl.replace(/\/+$/, '');
  const listed = await getJson(`${base}/api/v2/silences`, timeoutMs, MAX_SILENCES_BYTES);
  const existing = (Array.isArray(listed) ? listed : []).flatMap((item) => {
    const parsed = GettableSilenceSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  // Silences of the previous format live an hour unless renewed: asked about only while some are live.
  const wantedIds = new Set(wanted.map((want) => want.ackId));
  const legacy = [...new Set(existing.filter(isLive).flatMap((silence) => legacyAckOf(silence) ?? []))].filter((ackId) => !wantedIds.has(ackId));
  const legacyAcks = legacy.length > 0 ? await owner.ownAcks(legacy) : new Set<string>();
  const plan = planSilences(existing, wanted, nowMs, { installId: owner.installId, legacyAcks });
  for (const body of plan.post) await postJson(`${base}/api/v2/silences`, JSON.stringify(body), {}, timeoutMs);
  for (const id of plan.expire) await deleteResource(`${base}/api/v2/silence/${encodeURIComponent(id)}`, timeoutMs);
}
