import { Counter, Gauge, type Registry } from 'prom-client';
import { ackName, covers, type Ack, type AckRequest } from '@/lib/model/alerts/acks';
import { ESCALATES_ONLY, SEVERITY_IN_KEY, type AlertLabels, type Severity } from '@/lib/model/alerts/conditions';
import { createAlertEngine, type AlertState, type AlertTransition, type AlertView } from '@/lib/model/alerts/engine';
import { ruleFor, type AlertRules } from '@/lib/model/alerts/rules';
import type { Silence, SilenceRequest } from '@/lib/model/alerts/silences';
import type { AlertsSnapshot, DeliveryFailure, DeliveryTarget } from '@/lib/model/alerts/snapshot';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import type { EdgeStats } from '@/lib/model/latency';
import { systemClock, type Clock } from '../store/clock';
import { ACK_SILENCE_MS, syncAckSilences, wantedSilence } from './ack-silences';
import type { AckStore } from './ack-store';
import { signature, slackBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, toPostable, webhookBody } from './payloads';
import { postJson, redactUrl } from './post';
import { createQueueSender, createResender, type SendOutcome } from './senders';
import { evaluationInput, type AlertFleet } from './evaluation-input';
import { createSharedList } from './shared-list';
import type { SilenceCreation, SilenceStore } from './silence-store';

export interface AlertingOptions {
  /** Summaries of every service, instances of the few that can alert (evaluation-input.ts). */
  fleet: AlertFleet;
  /** Observed call edges (the topology's, for probable origins). */
  edges: () => readonly EdgeStats[];
  rules: AlertRules;
  /** Where console links point. */
  publicUrl: string;
  alertmanagerUrls: readonly string[];
  webhook: { url: string; secret: string | undefined; format: 'json' | 'slack' } | undefined;
  evaluationMs: number;
  resendMs: number;
  timeoutMs: number;
  queueSize: number;
  record: (event: NewHistoryEvent) => void;
  /** Operators' silences, in the shared store. */
  silences: SilenceStore;
  /** Operators' acknowledgements, in the shared store. */
  acks: AckStore;
  /** This install's identity (history/install-id.ts): its Alertmanager silences carry it, and only those are managed. */
  installId: () => Promise<string>;
  metrics: Registry;
  log: (message: string) => void;
  /**
   * Whether this replica sends and records (the leader, with replicas): every replica evaluates,
   * so each shows the same alerts, but one pages. Default: always.
   */
  delivers?: () => boolean;
  /**
   * The service's latest `alert.fired` / `alert.resolved` rows, newest first: what a replica that
   * starts to deliver compares the alerts it saw change meanwhile with (`catchUpHandOver`).
   */
  recordedAlerts?: (service: string) => Promise<readonly HistoryEvent[]>;
  clock?: Clock;
  now?: () => number;
}

/** Resolved alerts go to Alertmanager again for this long (as Prometheus does): one that restarted meanwhile learns it too. */
const RESOLVED_RESEND_MS = 15 * 60_000;
/** Alerts per `POST /api/v2/alerts`. */
const ALERTMANAGER_BATCH = 500;
const KEPT_FAILURES = 50;
const WEBHOOK_ATTEMPTS = 6;
/**
 * How long a replica that does not deliver remembers an alert it saw change. A leader killed without
 * a word is replaced once its membership lease expires (SWITCHYARD_REPLICA_TTL_SECONDS, at most 60 s):
 * what changed in between must still be delivered by the next one. Far longer than that, still bounded.
 */
const MISSED_KEEP_MS = 10 * 60_000;

export type AckOutcome = { ok: true; ack: Ack } | { ok: false; code: 'not_found' | 'not_firing' | 'already_acknowledged' | 'severity_changed' };

const STATE_ORDER: Record<AlertState, number> = { firing: 0, suppressed: 1, silenced: 2, pending: 3, resolved: 4 };
const SEVERITY_RANK: Record<Severity, number> = { warning: 0, critical: 1 };
/**
 * Evaluations past an alert's rule duration, from an acknowledgement of its critical severity taken
 * on another replica, within which this one is expected to have seen the loss that escalated it.
 */
const ESCALATION_GRACE_EVALUATIONS = 3;
/** The longest wait between checks of such an acknowledgement while history or the ack store fails (doubling from one evaluation). */
const CHECK_BACKOFF_MAX_MS = 5 * 60_000;
/** The longest wait between tries of a hand-over catch-up whose history read failed (doubling from one evaluation). */
const CATCH_UP_RETRY_MAX_MS = 60_000;
/**
 * The longest a hand-over holds a firing warning back from Alertmanager while its catch-up has yet to
 * judge it (a history read may take some 40 s to fail, and they run one key after another). The old
 * leader may have been sending that warning: absent from the posts for longer than Alertmanager's
 * resolve_timeout (5 min by default) after its last post, it ends there, a false resolve. 30 s, with
 * the re-send interval (60 s by default) and the old leader's lease (at most 60 s), stays well within it.
 */
const HAND_OVER_HOLD_MAX_MS = 30_000;

function historyEvent(transition: AlertTransition, at: string): NewHistoryEvent {
  const { alert } = transition;
  const name = `${alert.labels.alertname} (${alert.labels.severity})`;
  const where = { service: alert.labels.service, ...(alert.labels.instance !== undefined ? { instance: alert.labels.instance } : {}) };
  if (transition.kind === 'fired') {
    const held = alert.holds && alert.holds.length > 0 ? `; holding the alerts of ${alert.holds.join(', ')} (its callers)` : '';
    return { at, kind: 'alert.fired', ...where, detail: `${name}: ${alert.summary} — ${alert.description}${held}` };
  }
  if (transition.kind === 'resolved') return { at, kind: 'alert.resolved', ...where, detail: `${name} resolved: ${alert.summary}` };
  return { at, kind: 'alert.suppressed', ...where, detail: `${name} held, suppressed by ${alert.suppressedBy ?? 'its dependency'} (the probable origin): ${alert.description}` };
}

/**
 * Whether a history row written by `historyEvent` is about this alert (the service is the row's
 * own): its name, and its severity where that is part of its identity (SEVERITY_IN_KEY: an
 * InstancesLost warning's `alert.fired` row says nothing of the critical alert that took its place,
 * which the previous leader may never have sent).
 */
const isRowOf = (event: HistoryEvent, { alertname, severity }: Pick<AlertView['labels'], 'alertname' | 'severity'>): boolean =>
  event.detail.startsWith(SEVERITY_IN_KEY.has(alertname) ? `${alertname} (${severity})` : `${alertname} (`);

/**
 * Whether a resolved alert's firing is in no row: the latest row of it (not `alert.fired`) comes
 * before it fired. The previous leader, had it recorded this firing, would have recorded its
 * resolve at or after it. Only its last firing is known here (the engine keeps one per alert).
 */
const firedUnrecorded = (resolved: AlertView, latest: HistoryEvent | undefined): boolean =>
  resolved.firedAt !== undefined && (latest === undefined || latest.at < resolved.firedAt);

/**
 * The first warning row written after an old critical `alert.fired` row of an alert that only
 * escalates (ESCALATES_ONLY; rows newest first): it proves that critical had ended, its resolve never
 * written. One at the same time is the warning giving way to it.
 */
const warningRowAfter = (open: HistoryEvent, alertname: AlertLabels['alertname'], rows: readonly HistoryEvent[]): HistoryEvent | undefined =>
  rows.filter((event) => event.at > open.at && isRowOf(event, { alertname, severity: 'warning' })).at(-1);

/** The keys of the alerts the engine holds, active or recently resolved. */
const keysOf = (active: readonly AlertView[], recent: readonly AlertView[]): Set<string> => new Set([...active, ...recent].map((alert) => alert.key));

/** An old leader's critical `alert.fired` row this replica holds a warning in place of, and that critical's labels. */
interface StandingCritical {
  open: HistoryEvent;
  labels: AlertLabels;
}

/** Alerting for one runtime (createAlerting). */
export interface Alerting {
  /** One evaluation now (the timer runs them every `evaluationMs`). */
  evaluate(): AlertTransition[];
  /** Current alerts (firing first), the recently resolved, active silences and delivery targets with recent failures. */
  snapshot(): AlertsSnapshot;
  /**
   * An operator silences a service's alerts (or one of them) for a while: audited, honoured from the
   * next evaluation on by both paths. Refused past the store's caps (silence-store.ts), with why.
   */
  silence(request: SilenceRequest, by: string): Promise<SilenceCreation>;
  /** One active silence, from the store (for the scope check before lifting it). */
  findSilence(id: string): Promise<Silence | undefined>;
  /** Lifts a silence before it ends; undefined when there is no such active silence. */
  unsilence(id: string, by: string): Promise<Silence | undefined>;
  /**
   * An operator acknowledges one firing alert: audited, shown from the next evaluation on by every
   * replica; the leader silences it in Alertmanager. It covers this firing only.
   */
  acknowledge(request: AckRequest, by: string): Promise<AckOutcome>;
  /** One active acknowledgement, from the store (for the scope check before withdrawing it). */
  findAck(id: string): Promise<Ack | undefined>;
  /** Withdraws an acknowledgement: audited; the alert is as before (firing, its Alertmanager silence expired). */
  unacknowledge(id: string, by: string): Promise<Ack | undefined>;
  /** Stops evaluating and delivering. */
  stop(): void;
}

/**
 * Alerting for one runtime: evaluates the engine every `evaluationMs` over the fleet's summaries and
 * the probable origins, records transitions in history, sends every notified alert to each
 * Alertmanager (current state, re-sent while firing) and fired/resolved notifications to the webhook.
 */
export function createAlerting(options: AlertingOptions): Alerting {
  const clock = options.clock ?? systemClock;
  const now = options.now ?? Date.now;
  const delivers = options.delivers ?? (() => true);
  const engine = createAlertEngine({ rules: options.rules });
  const targets: DeliveryTarget[] = [];
  let failures: DeliveryFailure[] = [];

  const notifications = new Counter({ name: 'switchyard_alert_notifications_total', help: 'Alert deliveries by channel and outcome: sent, failed (will retry), gave_up, dropped (queue full)', labelNames: ['channel', 'outcome'], registers: [options.metrics] });
  new Gauge({
    name: 'switchyard_alerts',
    help: 'Alerts now by state: firing, suppressed (held by their probable origin), silenced, pending',
    labelNames: ['state'],
    registers: [options.metrics],
    collect() {
      const counts = new Map<AlertState, number>([['firing', 0], ['suppressed', 0], ['silenced', 0], ['pending', 0]]);
      for (const alert of engine.alerts()) counts.set(alert.state, (counts.get(alert.state) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'switchyard_alert_delivery_failing',
    help: 'Delivery targets whose last attempt failed',
    registers: [options.metrics],
    collect() {
      this.set(targets.filter((target) => !target.ok).length);
    },
  });

  const outcome = (target: DeliveryTarget) => (result: SendOutcome): void => {
    const at = new Date(now()).toISOString();
    if (result.ok) {
      notifications.inc({ channel: target.channel, outcome: 'sent' });
      Object.assign(target, { ok: true, failures: 0, lastSuccessAt: at });
      return;
    }
    const error = 'dropped' in result ? 'queue full: the oldest notification was dropped' : result.error;
    notifications.inc({ channel: target.channel, outcome: 'dropped' in result ? 'dropped' : result.gaveUp ? 'gave_up' : 'failed' });
    const firstOfSpell = target.ok;
    Object.assign(target, { ok: false, failures: 'dropped' in result ? target.failures : result.failures, lastFailureAt: at, lastError: error });
    failures = [...failures, { at, channel: target.channel, url: target.url, error }].slice(-KEPT_FAILURES);
    // One history row per failure spell (and per notification given up or dropped), not per retry.
    if (firstOfSpell || 'dropped' in result || result.gaveUp) {
      const what = 'dropped' in result ? error : result.gaveUp ? `${error} (gave up after ${result.failures} attempts)` : `${error} (retrying with backoff)`;
      options.record({ at, kind: 'alert.delivery_failed', detail: `${target.channel} ${target.url}: ${what}` });
    }
  };

  /**
   * What Alertmanager should hold: the firing alerts, and the latest notified resolve of every
   * other alert identity. Same labels are one alert there, so an older resolve must never travel
   * with (and end) the same alert firing again.
   */
  const alertmanagerState = (): AlertView[] => {
    const since = now() - RESOLVED_RESEND_MS;
    const byKey = new Map<string, AlertView>();
    // Read once: each read copies every alert, and this runs at every changing evaluation and re-send.
    const active = engine.alerts();
    const recent = engine.recentlyResolved();
    for (const alert of active) {
      // An old leader's critical stands in place of this warning (or of a critical still pending here):
      // no step down. A warning still being judged at a hand-over is held back meanwhile.
      const standing = standingCriticalRows.get(alert.key);
      if (standing) byKey.set(standingKeyOf(alert.key), standingCriticalView(alert, standing));
      else if (alert.state === 'firing' && heldBack.get(alert.key) !== alert.firedAt && !awaitsHandOverJudgement(alert)) {
        byKey.set(alert.key, alert);
        if (escalatesFrom(alert)) postedFiring.set(alert.key, alert.firedAt);
      }
    }
    const known = keysOf(active, recent);
    for (const key of postedFiring.keys()) if (!known.has(key) && !heldResolves.has(key)) postedFiring.delete(key);
    // Newest first: the first resolve per key is its latest.
    for (const alert of recent) {
      if (!alert.notified || byKey.has(alert.key) || heldBack.get(alert.key) === alert.firedAt || !(Date.parse(alert.resolvedAt ?? '') > since)) continue;
      byKey.set(alert.key, alert);
    }
    // Same labels are one alert there: never beside the same alert firing again, nor a later resolve.
    for (const alert of adoptedResolves) {
      if (!(Date.parse(alert.resolvedAt ?? '') > since) || [...byKey.values()].some((other) => sameLabels(other.labels, alert.labels))) continue;
      byKey.set(alert.key, alert);
    }
    return [...byKey.values()];
  };

  const alertmanagers = options.alertmanagerUrls.map((url) => {
    const target: DeliveryTarget = { channel: 'alertmanager', url: redactUrl(url), ok: true, failures: 0 };
    targets.push(target);
    const endpoint = `${url.replace(/\/+$/, '')}/api/v2/alerts`;
    return createResender({
      clock,
      intervalMs: options.resendMs,
      onOutcome: outcome(target),
      async send() {
        if (!delivers()) return;
        const state = alertmanagerState();
        const alerts = state.map((alert) => toPostable(alert, options.publicUrl));
        for (let start = 0; start < alerts.length; start += ALERTMANAGER_BATCH) {
          await postJson(endpoint, JSON.stringify(alerts.slice(start, start + ALERTMANAGER_BATCH)), {}, options.timeoutMs);
        }
        // Acknowledged alerts are silenced there (and the silence expired once they resolve or are
        // un-acknowledged); a failure here is a delivery failure, retried like one.
        const wanted = state.flatMap((alert) => wantedSilence(alert) ?? []);
        if (wanted.length > 0 || now() - lastAckSeenMs < ACK_SILENCE_MS) {
          const owner = { installId: await options.installId(), ownAcks: (ids: readonly string[]) => options.acks.owned(ids) };
          await syncAckSilences(url, wanted, now(), options.timeoutMs, owner);
        }
      },
    });
  });

  const webhook = options.webhook;
  const webhookTarget: DeliveryTarget | undefined = webhook ? { channel: 'webhook', url: redactUrl(webhook.url), ok: true, failures: 0, queued: 0 } : undefined;
  if (webhookTarget) targets.push(webhookTarget);
  const webhookQueue =
    webhook && webhookTarget
      ? createQueueSender<string>({
          clock,
          maxSize: options.queueSize,
          maxAttempts: WEBHOOK_ATTEMPTS,
          onOutcome: outcome(webhookTarget),
          send(body) {
            const headers: Record<string, string> = {};
            if (webhook.secret !== undefined) {
              const timestamp = String(Math.floor(now() / 1_000));
              headers[TIMESTAMP_HEADER] = timestamp;
              headers[SIGNATURE_HEADER] = signature(webhook.secret, timestamp, body);
            }
            return postJson(webhook.url, body, headers, options.timeoutMs);
          },
        })
      : undefined;

  const logError = (what: string) => (error: unknown): void => options.log(`alerts: ${what}: ${error instanceof Error ? error.message : String(error)}`);
  /** Read from the store every evaluation (another replica may have added one), used from the next. */
  const silences = createSharedList<Silence>(() => options.silences.active(now()), logError('silences not read'));
  const acks = createSharedList<Ack>(() => options.acks.active(), logError('acknowledgements not read'));
  silences.refresh();
  acks.refresh();
  /**
   * When an acknowledged alert was last seen (or an acknowledgement ended): Alertmanager's silences
   * are read only within an hour of it. From the start, so a new leader clears what an old one left.
   */
  let lastAckSeenMs = now();
  /** The acknowledged alerts at the last evaluation: a change (here or on another replica) nudges Alertmanager. */
  let acknowledged = '';
  /** Acknowledgements being ended in the store because their alert resolved. */
  const ending = new Set<string>();

  /**
   * Acknowledgements of a higher severity than this replica's alert that only escalates, kept past
   * their window because a critical `alert.fired` row stands open (an old leader's: the critical
   * stands there), and those whose rows are being read.
   */
  const backedAcks = new Set<string>();
  const checkingAcks = new Set<string>();
  /**
   * Those whose check failed (history or the ack store unreachable): checked again no sooner than
   * `retryAtMs`, the wait doubling, rather than reading history every evaluation (review of 3f0d90d).
   */
  const checkBackoff = new Map<string, { retryAtMs: number; delayMs: number }>();

  /** Whether the store ended it (or it was already ended). */
  const endAck = (ack: Ack, why: string, nowMs: number): Promise<boolean> => {
    ending.add(ack.id);
    return options.acks
      .end(ack.id, undefined, nowMs)
      .then((ended) => {
        acks.change((current) => current.filter((candidate) => candidate.id !== ack.id));
        if (ended) options.record({ at: new Date(nowMs).toISOString(), kind: 'alert.unacknowledged', service: ended.service, detail: `${ackName(ended)} acknowledgement by ${ended.by} ended: ${why}` });
        return true;
      })
      .catch((error: unknown) => {
        logError('acknowledgement not ended')(error);
        return false;
      })
      .finally(() => ending.delete(ack.id));
  };

  /**
   * The leader ends, in the store, acknowledgements whose alert is no longer active: they covered
   * that firing only. Also those the engine found used up while an alert of the same name and
   * service is active: another alert (a ServiceFlapping warning gave way to a critical one), which
   * the store's one active acknowledgement per name and service would else refuse; and those of a
   * severity the leader's alert of that name does not have (taken on a replica that started after
   * an InstancesLost escalated, which holds the warning): the one that pages is the leader's. Not one
   * of a higher severity than the leader's alert that only escalates (ESCALATES_ONLY) has: the replica
   * that took it saw the last loss first, and it covers the leader's critical alert once that fires.
   * That holds for the rule's duration and a few evaluations from the acknowledgement (the leader sees
   * the loss by then), or while a critical `alert.fired` row stands open; else it is ended (review of
   * 97112ac: one named on a fleet where no replica held the critical alert muted a critical firing an
   * hour later).
   */
  const endResolvedAcks = (nowMs: number): void => {
    const active = engine.alerts();
    const usedUp = engine.usedUpAcks();
    const escalatesTo = (ack: Ack, alert: AlertView): boolean =>
      ESCALATES_ONLY.has(ack.alertname) && ack.severity !== undefined && ack.alertname === alert.labels.alertname && ack.service === alert.labels.service && SEVERITY_RANK[ack.severity] > SEVERITY_RANK[alert.labels.severity];
    const current = acks.current();
    for (const id of backedAcks) if (!current.some((ack) => ack.id === id)) backedAcks.delete(id);
    for (const id of checkBackoff.keys()) if (!current.some((ack) => ack.id === id)) checkBackoff.delete(id);
    for (const ack of current) {
      if (ending.has(ack.id) || checkingAcks.has(ack.id)) continue;
      const live = !usedUp.has(ack.id);
      if (live && active.some((alert) => covers(ack, alert.labels))) continue;
      if (live && active.some((alert) => escalatesTo(ack, alert))) {
        const windowMs = ruleFor(options.rules, ack.service).lostForSeconds * 1_000 + ESCALATION_GRACE_EVALUATIONS * options.evaluationMs;
        if (backedAcks.has(ack.id) || nowMs <= Date.parse(ack.at) + windowMs || nowMs < (checkBackoff.get(ack.id)?.retryAtMs ?? 0)) continue;
        checkStandingCritical(ack, windowMs);
        continue;
      }
      const otherSeverity = live && active.some((alert) => alert.labels.alertname === ack.alertname && alert.labels.service === ack.service);
      void endAck(ack, otherSeverity ? `no ${ackName(ack)} alert of ${ack.service} is active` : 'the alert resolved', nowMs);
    }
  };

  /** Past its window: kept if a critical `alert.fired` row stands open, else ended, unless this replica escalated or stopped delivering meanwhile. */
  const checkStandingCritical = (ack: Ack, windowMs: number): void => {
    checkingAcks.add(ack.id);
    const { alertname, service } = ack;
    const backOff = (): void => {
      const delayMs = Math.min(CHECK_BACKOFF_MAX_MS, 2 * (checkBackoff.get(ack.id)?.delayMs ?? options.evaluationMs / 2));
      checkBackoff.set(ack.id, { retryAtMs: now() + delayMs, delayMs });
    };
    void (options.recordedAlerts ? options.recordedAlerts(service) : Promise.resolve([]))
      .then((rows) => {
        // Open only while no warning row is newer (review of 481568e: one fired 3 days ago kept it, and it muted the next critical).
        const open = rows.find((event) => isRowOf(event, { alertname, severity: 'critical' }));
        if (open?.kind === 'alert.fired' && !warningRowAfter(open, alertname, rows)) backedAcks.add(ack.id);
        else if (delivers() && !engine.alerts().some((alert) => covers(ack, alert.labels))) return endAck(ack, `no ${ackName(ack)} alert of ${service} fired within ${Math.round(windowMs / 1_000)} s of it`, now());
        return true;
      })
      .then((settled) => {
        if (settled) checkBackoff.delete(ack.id);
        else backOff();
      })
      .catch((error: unknown) => {
        logError('acknowledgement not checked')(error);
        backOff();
      })
      .finally(() => checkingAcks.delete(ack.id));
  };

  const notifyWebhook = (alerts: readonly AlertView[], at: string): void => {
    if (alerts.length > 0 && webhook && webhookQueue) webhookQueue.enqueue(webhook.format === 'slack' ? slackBody(alerts, options.publicUrl) : webhookBody(alerts, options.publicUrl, at));
  };

  /**
   * Alerts that fired or resolved here while another replica delivered (key → when seen). A leader
   * killed with SIGKILL keeps its membership key, and so its leadership, until etcd expires the lease:
   * the alerts that change meanwhile are evaluated by every survivor and delivered by none. Measured
   * (tests/integration/replica-handover.test.ts): five of six alerts firing in that window never
   * reached the webhook nor the history, and their resolves went out alone.
   */
  const missed = new Map<string, number>();
  /**
   * The keys the current hand-over's catch-up has yet to judge (key → when seen). One cut short by a
   * leadership blip while it reads history hands them back to `missed`, so the next hand-over (this
   * replica's too) takes them; dropped, they were delivered by nobody (review of 5342d67).
   */
  const catchingUp = new Map<string, number>();
  /**
   * Resolves of warnings held back (key → the resolved alert) until the catch-up judges them: the
   * old leader's critical may stand in their place. This copy is what it judges once the engine no
   * longer has the resolve (past its recent resolves in a mass recovery: review of c21da2a). Recorded
   * and sent as any other resolve when it gives up on the key; else lost for good (review of 481568e).
   */
  const heldResolves = new Map<string, AlertView>();
  /**
   * The warnings of alerts that only escalate last posted to Alertmanager as firing (key → firedAt):
   * one a standing critical then replaces is resolved there, else Alertmanager holds it beside the
   * critical until its resolve_timeout, two pages (review of 481568e).
   */
  const postedFiring = new Map<string, string | undefined>();
  const wasPosted = (alert: AlertView): boolean => postedFiring.has(alert.key) && postedFiring.get(alert.key) === alert.firedAt;
  /** A warning of an alert that only escalates. */
  const escalatesFrom = (alert: AlertView): boolean => ESCALATES_ONLY.has(alert.labels.alertname) && alert.labels.severity !== 'critical';
  /** A firing warning of an alert that only escalates: an old leader may have paged with its critical. */
  const lowerThanItMayStand = (alert: AlertView): boolean => escalatesFrom(alert) && alert.state === 'firing' && alert.notified;
  /**
   * Whether this hand-over's catch-up failed to read history, or has held warnings back for
   * HAND_OVER_HOLD_MAX_MS already: what it held back is sent meanwhile.
   */
  let catchUpReadFailed = false;
  let handOverHoldEnded = false;
  /** Held back from Alertmanager while the hand-over's catch-up has yet to judge it (and history answers, for a while). */
  const awaitsHandOverJudgement = (alert: AlertView): boolean => delivering && !catchUpReadFailed && !handOverHoldEnded && catchingUp.has(alert.key) && lowerThanItMayStand(alert);
  /** Records and sends a held warning's resolve as the evaluation that saw it would have. */
  const releaseHeldResolve = (key: string): void => {
    const resolved = heldResolves.get(key);
    if (!resolved) return;
    heldResolves.delete(key);
    const nowIso = new Date(now()).toISOString();
    options.record(historyEvent({ kind: 'resolved', alert: resolved }, resolved.resolvedAt ?? nowIso));
    // Lost again since: its firing, held back behind this resolve (evaluate), follows it.
    const refired = engine.alerts().find((alert) => alert.key === key && alert.state === 'firing');
    if (refired) options.record(historyEvent({ kind: 'fired', alert: refired }, refired.firedAt ?? nowIso));
    notifyWebhook(refired ? [resolved, refired] : [resolved], nowIso);
    // Out of the engine's recent resolves, it reaches Alertmanager only so.
    if (wasPosted(resolved)) keepResolve(resolved);
    for (const alertmanager of alertmanagers) alertmanager.nudge();
  };
  /** Held resolves whose key neither this hand-over nor a later one will judge: another leader delivered them. */
  const pruneHeldResolves = (): void => {
    for (const key of heldResolves.keys()) if (!catchingUp.has(key) && !missed.has(key)) heldResolves.delete(key);
  };
  const handBackCatchUp = (): void => {
    for (const [key, seenMs] of catchingUp) if (!missed.has(key)) missed.set(key, seenMs);
    catchingUp.clear();
  };
  /** Whether the last evaluation delivered. Not a change at start: a replica that leads from its start missed nothing. */
  let delivering = delivers();
  /** Hand-overs so far: a catch-up still reading history when a later one began is not the current one. */
  let handOvers = 0;
  /**
   * The critical an old leader paged with, for an alert that only escalates, by the key of the warning
   * this replica holds in its place (it started after the escalation, or missed it): its `alert.fired`
   * row left open, and its labels. It stands until the alert of that name ends here. Truthful, not
   * a guess: the critical stands for the warning's condition too until the service recovers
   * (ESCALATES_ONLY), which is what the old leader would have kept sending; the warning is only this
   * replica's ignorance of the escalation. So this replica sends that critical in the warning's
   * place (Alertmanager keeps it firing; no step down to a second, lower page), and at the recovery
   * records its resolve and sends it (webhook and Alertmanager), which until then never reached
   * Alertmanager (only its resolve_timeout ended it). A warning that gives way to a critical alert
   * here carries on that critical: same labels, the same alert, so no second firing is recorded or
   * sent (its own resolve closes the row); other labels, the old one's resolve is sent. A critical that
   * ends still pending while the warning is back (a new entry, under the warning's key) changes
   * nothing: the row follows any alert of that name held (review of 7b29676).
   */
  const standingCriticalRows = new Map<string, StandingCritical>();
  /** The warnings (key → firedAt) held back in a standing critical's place: never sent by this replica, nor their resolve. */
  const heldBack = new Map<string, string | undefined>();
  /**
   * Resolves of standing criticals, and of warnings sent to Alertmanager before a critical was found
   * standing in their place (history could not be read meanwhile): re-sent there as the engine's own
   * resolves are (newest first).
   */
  let adoptedResolves: AlertView[] = [];
  const keepResolve = (resolved: AlertView): void => {
    adoptedResolves = [resolved, ...adoptedResolves.filter((alert) => alert.key !== resolved.key && Date.parse(alert.resolvedAt ?? '') > now() - RESOLVED_RESEND_MS)];
  };
  /** A standing critical's own key: that of the alert held in its place, which no condition's key ends with. */
  const standingKeyOf = (key: string): string => `${key}\u0000standing`;
  /** The standing critical as this replica sends it: its own labels, what the held alert says is missing now. */
  const standingCriticalView = (held: AlertView, { open, labels }: StandingCritical): AlertView => {
    const ack = acks.current().find((candidate) => covers(candidate, labels));
    return {
      key: standingKeyOf(held.key),
      labels,
      summary: held.summary,
      description: held.description,
      path: held.path,
      state: 'firing',
      // Its start (the newest loss) is in no row: when it fired. Alertmanager keeps the earlier one it holds.
      activeSince: open.at,
      firedAt: open.at,
      notified: true,
      ...(held.holds ? { holds: held.holds } : {}),
      ...(ack ? { acknowledged: ack } : {}),
    };
  };
  const sameLabels = (a: AlertLabels, b: AlertLabels): boolean => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  /** Whether a transition is of an alert whose name a standing critical speaks for: the held warning, or a critical carrying it on. */
  const speaksFor = (alert: AlertView): boolean => {
    for (const standing of standingCriticalRows.values()) {
      if (standing.labels.alertname !== alert.labels.alertname || standing.labels.service !== alert.labels.service) continue;
      return alert.labels.severity !== 'critical' || sameLabels(alert.labels, standing.labels);
    }
    return false;
  };
  /** Records and sends a standing critical's resolve. */
  const resolveStanding = (standing: StandingCritical, last: AlertView | undefined, resolvedAt: string, why: string): void => {
    const at = resolvedAt > standing.open.at ? resolvedAt : standing.open.at;
    const where = { service: standing.labels.service, ...(standing.open.instance !== undefined ? { instance: standing.open.instance } : {}) };
    options.record({ at, kind: 'alert.resolved', ...where, detail: `${standing.labels.alertname} (critical) resolved: ${why}` });
    if (!last) return;
    const resolved: AlertView = { ...standingCriticalView(last, standing), state: 'resolved', resolvedAt: at, resolvedOn: last.resolvedOn ?? 'evaluation', endedAs: 'firing' };
    keepResolve(resolved);
    notifyWebhook([resolved], new Date(now()).toISOString());
    for (const alertmanager of alertmanagers) alertmanager.nudge();
  };
  const settleStandingCriticals = (nowMs: number): void => {
    if (heldBack.size === 0 && standingCriticalRows.size === 0) return;
    // Read once, not per key (each read copies every alert): this runs at every evaluation.
    const active = engine.alerts();
    const recent = engine.recentlyResolved();
    const known = keysOf(active, recent);
    for (const key of heldBack.keys()) if (!known.has(key)) heldBack.delete(key);
    for (const [key, standing] of [...standingCriticalRows]) {
      const { alertname, service } = standing.labels;
      const ofName = active.filter((alert) => alert.labels.alertname === alertname && alert.labels.service === service);
      const critical = ofName.find((alert) => alert.labels.severity === 'critical');
      // Any alert of that name still held means the service never recovered (a critical that ended
      // still pending left the warning again): the row follows it, under its own key.
      const held = critical ?? ofName.find((alert) => alert.key === key) ?? ofName[0];
      if (held?.key === key && !critical?.notified) continue;
      standingCriticalRows.delete(key);
      if (critical?.notified) {
        // Carried on by a critical of other labels: the old one ends here.
        if (!sameLabels(critical.labels, standing.labels)) resolveStanding(standing, critical, new Date(nowMs).toISOString(), `the ${alertname} (critical) alert of ${critical.labels.instance ?? 'the whole service'} took its place`);
        continue;
      }
      if (held) {
        standingCriticalRows.set(held.key, standing);
        if (held.labels.severity !== 'critical') heldBack.set(held.key, held.firedAt);
        continue;
      }
      const last = recent.find((alert) => alert.key === key);
      resolveStanding(standing, last, last?.resolvedAt ?? new Date(nowMs).toISOString(), 'the service recovered (it fired at the previous leader; this replica held the warning in its place)');
    }
  };

  /**
   * On becoming the one that delivers: what the previous leader may not have delivered, judged by the
   * history it wrote (the store is shared), so an alert it did send is not sent twice. Firing here
   * with no `alert.fired` as its latest row: recorded and sent as fired; resolved here with
   * `alert.fired` as its latest row: recorded and sent as resolved. Alertmanager takes state, so it
   * only needs the current state now rather than at the next re-send.
   */
  const catchUpHandOver = async (handOver: number): Promise<void> => {
    /**
     * The old leader's open critical row of an alert that only escalates, standing in place of this
     * replica's warning (`held`, firing or just resolved), with that critical's labels: the warning's
     * but for severity and `instance`, which its row names when it had one (`zone` is in no row: the
     * warning's). Only while no warning row is newer (review of 5e02d11): under ESCALATES_ONLY a warning
     * written after it proves that critical had ended (one at the same time is the warning giving way
     * to it); its resolve, never written, is then recorded, dated at the first such warning row, and
     * not sent (Alertmanager ended it at its resolve_timeout long since).
     */
    const standingCritical = (held: AlertView, open: HistoryEvent, rows: readonly HistoryEvent[]): StandingCritical | undefined => {
      const { alertname, service } = held.labels;
      const where = { service, ...(open.instance !== undefined ? { instance: open.instance } : {}) };
      const endedBy = warningRowAfter(open, alertname, rows);
      if (endedBy) {
        options.record({ at: endedBy.at, kind: 'alert.resolved', ...where, detail: `${alertname} (critical) resolved: it had ended by the ${alertname} (warning) row of ${endedBy.at}, found still open when this replica took over delivery (its resolve was not sent)` });
        return undefined;
      }
      const { instance: _warningInstance, ...shared } = held.labels;
      return { open, labels: { ...shared, severity: 'critical', ...(open.instance !== undefined ? { instance: open.instance } : {}) } };
    };
    /**
     * Of an alert of a severity in its key: the other severity's row when it is an open `alert.fired`
     * of an alert this replica neither holds nor resolved (one it does is caught up as itself).
     */
    const openRowOfOther = (alert: AlertView, rows: readonly HistoryEvent[]): HistoryEvent | undefined => {
      const { alertname, service, severity } = alert.labels;
      if (!SEVERITY_IN_KEY.has(alertname)) return undefined;
      const other = severity === 'critical' ? 'warning' : 'critical';
      const open = rows.find((event) => isRowOf(event, { alertname, severity: other }));
      const held = (candidate: AlertView): boolean => candidate.labels.alertname === alertname && candidate.labels.service === service && candidate.labels.severity === other;
      return open?.kind === 'alert.fired' && !engine.alerts().some(held) && !engine.recentlyResolved().some(held) ? open : undefined;
    };
    /**
     * A firing alert of a severity in its key, caught up: the other severity's `alert.fired` row the
     * previous leader left open (this replica started after the alert gave way, and knows nothing of
     * that one) is closed, dated when this one fired here, so that a later firing of that severity is
     * not taken as recorded. Its resolve is not sent: its labels (`instance`) are in no row;
     * Alertmanager ends it at its resolve_timeout. Never a critical row of an alert that only
     * escalates (ESCALATES_ONLY): a warning here means this replica started after the critical one
     * fired, which stands until the service recovers, and no warning took its place. That critical
     * stands in the warning's place (standingCriticalRows): true when the warning is held back.
     */
    const closeGivenWay = (firing: AlertView, rows: readonly HistoryEvent[]): boolean => {
      const { alertname, service, severity } = firing.labels;
      const other = severity === 'critical' ? 'warning' : 'critical';
      const open = openRowOfOther(firing, rows);
      if (!open) return false;
      if (other === 'critical' && ESCALATES_ONLY.has(alertname)) {
        const standing = standingCritical(firing, open, rows);
        if (!standing) return false;
        standingCriticalRows.set(firing.key, standing);
        heldBack.set(firing.key, firing.firedAt);
        return true;
      }
      const firedAt = firing.firedAt ?? new Date(now()).toISOString();
      const at = open.at > firedAt ? open.at : firedAt;
      const where = { service, ...(open.instance !== undefined ? { instance: open.instance } : {}) };
      options.record({ at, kind: 'alert.resolved', ...where, detail: `${alertname} (${other}) resolved: gave way to the ${severity} alert before this replica took over delivery (its resolve was not sent)` });
      return false;
    };
    const isHeldForJudgement = (key: string): boolean => engine.alerts().some((alert) => alert.key === key && lowerThanItMayStand(alert));
    const recordedAlerts = options.recordedAlerts;
    if (!recordedAlerts) {
      catchingUp.clear();
      return;
    }
    const caughtUp: AlertView[] = [];
    /** A resolve found at the hand-over (or held for it), judged by the old leader's rows of its alert. */
    const judgeResolved = (resolved: AlertView, rows: readonly HistoryEvent[], latest: HistoryEvent | undefined, nowIso: string): void => {
      // A warning of an alert that only escalates, resolved before it was judged (its resolve held
      // back meanwhile): the old leader's critical standing in its place ended with it, and its
      // resolve is what is recorded and sent (review of cdc1d6c), nothing of the warning.
      const openCritical = ESCALATES_ONLY.has(resolved.labels.alertname) && resolved.labels.severity !== 'critical' ? openRowOfOther(resolved, rows) : undefined;
      const standing = openCritical && standingCritical(resolved, openCritical, rows);
      if (standing) {
        // Its resolve goes only where its firing went: to Alertmanager if posted there (history failed, or the hold-back ended).
        if (!wasPosted(resolved)) heldBack.set(resolved.key, resolved.firedAt);
        resolveStanding(standing, resolved, resolved.resolvedAt ?? nowIso, 'the service recovered (it fired at the previous leader; this replica held the warning in its place)');
      } else if (latest?.kind === 'alert.fired' || firedUnrecorded(resolved, latest)) {
        // Fired and resolved while nobody delivered: both rows, and the resolve (with its start) to the webhook.
        if (latest?.kind !== 'alert.fired') options.record(historyEvent({ kind: 'fired', alert: resolved }, resolved.firedAt ?? nowIso));
        options.record(historyEvent({ kind: 'resolved', alert: resolved }, resolved.resolvedAt ?? nowIso));
        caughtUp.push(resolved);
      }
    };
    /** Whether it judged a warning held back from Alertmanager: sent now, not at the next re-send. */
    let releasedHeld = false;
    try {
      // The warnings held back from Alertmanager first: each read may take a while to answer or fail.
      const heldFirst = [...catchingUp.keys()].sort((a, b) => Number(isHeldForJudgement(b)) - Number(isHeldForJudgement(a)));
      for (const key of heldFirst) {
        // A held resolve the engine no longer has (past its recent resolves in a mass recovery) is judged from the copy kept.
        const known = engine.alerts().find((alert) => alert.key === key) ?? engine.recentlyResolved().find((alert) => alert.key === key) ?? heldResolves.get(key);
        if (!known?.notified) {
          catchingUp.delete(key);
          releaseHeldResolve(key);
          continue;
        }
        const rows = await recordedAlerts(known.labels.service);
        // A later hand-over began meanwhile: it took the keys left here. Or stopped: it sends nothing more.
        if (handOver !== handOvers || stopped) return;
        // Stopped delivering meanwhile (review of 97112ac): the next leader, this replica included, judges the rows itself.
        if (!delivering || !delivers()) {
          delivering = false;
          handBackCatchUp();
          return;
        }
        releasedHeld ||= isHeldForJudgement(key);
        catchingUp.delete(key);
        const latest = rows.find((event) => isRowOf(event, known.labels));
        // Read again after the lookup: an evaluation in between may have moved (and delivered) it.
        const firing = engine.alerts().find((alert) => alert.key === key && alert.state === 'firing');
        const held = heldResolves.get(key);
        // The engine's resolve, else the held copy (fallen out of the engine's recent resolves): judged below.
        const resolved = firing ? undefined : (engine.recentlyResolved().find((alert) => alert.key === key && alert.endedAs === 'firing') ?? held);
        // A held resolve of an earlier firing that resolved again since: as any other resolve.
        if (held && !firing && held.firedAt !== resolved?.firedAt) releaseHeldResolve(key);
        heldResolves.delete(key);
        const nowIso = new Date(now()).toISOString();
        // Lost again since the held resolve (its firing held back for this): that resolve is judged
        // first, then the firing, which no row can hold (this replica led since), recorded and sent after it.
        if (firing && held) {
          judgeResolved(held, rows, latest, nowIso);
          options.record(historyEvent({ kind: 'fired', alert: firing }, firing.firedAt ?? nowIso));
          caughtUp.push(firing);
          continue;
        }
        if (firing && latest?.kind !== 'alert.fired') {
          if (closeGivenWay(firing, rows)) {
            // The old leader's critical is re-sent in its place, at once.
            options.log(`alerts: took over delivery; ${firing.labels.alertname} (critical) of ${firing.labels.service}, paged by the previous leader, is kept firing in place of the warning held here`);
            // Sent to Alertmanager (history failed, or the hold-back ended): ended there, else it lingers beside the critical until its resolve_timeout.
            if (wasPosted(firing)) keepResolve({ ...firing, state: 'resolved', resolvedAt: nowIso, resolvedOn: 'evaluation', endedAs: 'firing' });
            for (const alertmanager of alertmanagers) alertmanager.nudge();
            continue;
          }
          options.record(historyEvent({ kind: 'fired', alert: firing }, firing.firedAt ?? nowIso));
          caughtUp.push(firing);
          continue;
        }
        if (resolved) judgeResolved(resolved, rows, latest, nowIso);
      }
    } finally {
      // Sent however the catch-up ends (cut short by a blip, a failed read): its rows say these were
      // delivered, so no later hand-over sends them.
      if (caughtUp.length > 0) options.log(`alerts: took over delivery; ${caughtUp.length} alert change(s) the previous leader had not delivered sent now`);
      notifyWebhook(caughtUp, new Date(now()).toISOString());
      if (releasedHeld) for (const alertmanager of alertmanagers) alertmanager.nudge();
    }
  };

  /**
   * Runs the hand-over's catch-up; one whose history read failed keeps its unjudged keys and is tried
   * again while this same hand-over lasts, after `delayMs`, doubling up to CATCH_UP_RETRY_MAX_MS:
   * else a single database hiccup left an alert the old leader never delivered unsent until the next
   * change of leader. Bounded as `missed` is: keys seen over MISSED_KEEP_MS ago are given up, a
   * resolve held for one recorded and sent as any other (releaseHeldResolve).
   */
  let cancelCatchUpRetry: (() => void) | undefined;
  /** Ends a hand-over's hold-back of the warnings it has yet to judge (HAND_OVER_HOLD_MAX_MS). */
  let cancelHoldEnd: (() => void) | undefined;
  const startCatchUp = (handOver: number, delayMs: number): void => {
    cancelCatchUpRetry?.();
    cancelCatchUpRetry = undefined;
    const stillThisHandOver = (): boolean => !stopped && handOver === handOvers && delivering && catchingUp.size > 0;
    void catchUpHandOver(handOver).catch((error: unknown) => {
      logError('catching up after taking over delivery failed')(error);
      // History unreadable: a warning held back until judged is sent after all (a lower page beats none).
      if (handOver === handOvers && !catchUpReadFailed) {
        catchUpReadFailed = true;
        for (const alertmanager of alertmanagers) alertmanager.nudge();
      }
      if (!stillThisHandOver()) return;
      options.log(`alerts: catching up again in ${Math.round(delayMs / 1_000)} s (${catchingUp.size} alert change(s) not yet judged)`);
      cancelCatchUpRetry = clock.after(delayMs, () => {
        cancelCatchUpRetry = undefined;
        // Not leading any more: the next evaluation hands the keys back to `missed` for the next hand-over.
        if (!stillThisHandOver() || !delivers()) return;
        for (const [key, seenMs] of catchingUp) {
          if (seenMs >= now() - MISSED_KEEP_MS) continue;
          catchingUp.delete(key);
          releaseHeldResolve(key);
        }
        startCatchUp(handOver, Math.min(CATCH_UP_RETRY_MAX_MS, delayMs * 2));
      });
    });
  };

  const evaluate = (): AlertTransition[] => {
    const nowMs = now();
    const transitions = engine.evaluate(evaluationInput(options.fleet, options.edges(), nowMs), nowMs, silences.current(), acks.current());
    const acknowledgedNow = engine
      .alerts()
      .flatMap((alert) => (alert.acknowledged ? [alert.acknowledged.id] : []))
      .sort()
      .join(' ');
    const acksChanged = acknowledgedNow !== acknowledged;
    acknowledged = acknowledgedNow;
    if (acknowledgedNow !== '' || acksChanged) lastAckSeenMs = nowMs;
    if (!delivers()) {
      delivering = false;
      // The next leader judges the rows itself.
      standingCriticalRows.clear();
      heldBack.clear();
      handBackCatchUp();
      for (const transition of transitions) if (transition.kind !== 'suppressed') missed.set(transition.alert.key, nowMs);
      for (const [key, seenMs] of missed) if (seenMs < nowMs - MISSED_KEEP_MS) missed.delete(key);
      pruneHeldResolves();
      return transitions;
    }
    if (!delivering) {
      delivering = true;
      handOvers += 1;
      // What changes in this very evaluation is delivered below, as usual.
      for (const transition of transitions) missed.delete(transition.alert.key);
      for (const [key, seenMs] of missed) catchingUp.set(key, seenMs);
      missed.clear();
      // A warning of an alert that only escalates, however long it has fired here: the old leader may
      // have paged with the critical one since, which it then stands for (held back until judged).
      for (const alert of engine.alerts()) if (lowerThanItMayStand(alert) && !catchingUp.has(alert.key)) catchingUp.set(alert.key, nowMs);
      pruneHeldResolves();
      catchUpReadFailed = false;
      handOverHoldEnded = false;
      const handOver = handOvers;
      cancelHoldEnd?.();
      cancelHoldEnd = clock.after(HAND_OVER_HOLD_MAX_MS, () => {
        cancelHoldEnd = undefined;
        if (handOver !== handOvers) return;
        handOverHoldEnded = true;
        for (const alertmanager of alertmanagers) alertmanager.nudge();
      });
      for (const alertmanager of alertmanagers) alertmanager.nudge();
      startCatchUp(handOvers, options.evaluationMs);
    }
    endResolvedAcks(nowMs);
    if (acksChanged) for (const alertmanager of alertmanagers) alertmanager.nudge();
    if (transitions.length === 0) {
      settleStandingCriticals(nowMs);
      return transitions;
    }
    // The origin's alert as it stands now: with the callers it holds.
    const current = new Map(engine.alerts().map((alert) => [alert.key, alert]));
    const enriched = transitions.map((transition) => (transition.kind === 'fired' ? { ...transition, alert: current.get(transition.alert.key) ?? transition.alert } : transition));
    const at = new Date(nowMs).toISOString();
    // What a standing critical speaks for (the warning held in its place, a critical of its labels
    // carrying it on) is neither recorded nor sent: that critical's rows and resolve are. Nor the
    // resolve of a warning the hand-over's catch-up has yet to judge: it records and sends that
    // resolve, or the old leader's critical's if one stood in its place. Its 10 min (MISSED_KEEP_MS) count from that resolve.
    const delivered = enriched.filter((transition) => {
      if (speaksFor(transition.alert)) return false;
      // Lost again while its resolve is held: the catch-up sends that resolve first, then this firing.
      if (transition.kind === 'fired' && heldResolves.has(transition.alert.key)) {
        catchingUp.set(transition.alert.key, nowMs);
        return false;
      }
      if (transition.kind !== 'resolved' || !catchingUp.has(transition.alert.key) || !escalatesFrom(transition.alert)) return true;
      heldResolves.set(transition.alert.key, transition.alert);
      catchingUp.set(transition.alert.key, nowMs);
      return false;
    });
    // Before this evaluation's rows: an old critical ended by one of other labels firing now is
    // resolved at the same time, and History orders rows of one time by id, so that firing must be
    // written last to read as the latest critical row (review of 5e02d11: else the next hand-over fired it again).
    settleStandingCriticals(nowMs);
    // A resolve is dated when it ended (the service's recovery, `resolvedAt`), as Alertmanager's endsAt is, not when this evaluation saw it.
    for (const transition of delivered) options.record(historyEvent(transition, transition.kind === 'resolved' ? (transition.alert.resolvedAt ?? at) : at));
    // A held caller changes its origin's annotations: Alertmanager hears of every transition.
    for (const alertmanager of alertmanagers) alertmanager.nudge();
    notifyWebhook(
      delivered.filter((transition) => transition.kind !== 'suppressed').map((transition) => transition.alert),
      at,
    );
    return enriched;
  };

  let stopped = false;
  let cancelTick: (() => void) | undefined;
  const tick = (): void => {
    if (stopped) return;
    try {
      silences.refresh();
      acks.refresh();
      evaluate();
    } catch (error) {
      // A timer callback that throws would take the process down: alerting must never do that.
      options.log(`alerts: evaluation failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    cancelTick = clock.after(options.evaluationMs, tick);
  };
  cancelTick = clock.after(options.evaluationMs, tick);

  return {
    evaluate,
    snapshot(): AlertsSnapshot {
      const alerts = engine.alerts().sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.activeSince < b.activeSince ? -1 : a.activeSince > b.activeSince ? 1 : 0));
      const nowMs = now();
      const delivery = { targets: targets.map((target) => (target === webhookTarget && webhookQueue ? { ...target, queued: webhookQueue.size() } : { ...target })), failures: [...failures].reverse() };
      return { alerts, resolved: engine.recentlyResolved(), silences: silences.current().filter((silence) => Date.parse(silence.until) > nowMs), delivery };
    },
    async silence(request: SilenceRequest, by: string): Promise<SilenceCreation> {
      const creation = await options.silences.create(request, by, now());
      if (!creation.ok) return creation;
      const created = creation.silence;
      silences.change((current) => [created, ...current]);
      options.record({ at: created.createdAt, kind: 'alert.silenced', service: created.service, actor: by, detail: `${created.alertname ?? 'every alert'} silenced until ${created.until}: ${created.reason}` });
      return creation;
    },
    findSilence: (id: string): Promise<Silence | undefined> => options.silences.find(id, now()),
    async unsilence(id: string, by: string): Promise<Silence | undefined> {
      const ended = await options.silences.end(id, by, now());
      if (!ended) return undefined;
      silences.change((current) => current.filter((silence) => silence.id !== id));
      options.record({ at: new Date(now()).toISOString(), kind: 'alert.silence_ended', service: ended.service, actor: by, detail: `${ended.alertname ?? 'every alert'} silence lifted early (was until ${ended.until}: ${ended.reason})` });
      return ended;
    },
    async acknowledge(request: AckRequest, by: string): Promise<AckOutcome> {
      const alert = engine.alerts().find((candidate) => candidate.labels.alertname === request.alertname && candidate.labels.service === request.service);
      if (!alert) return { ok: false, code: 'not_found' };
      // Another severity than this replica holds is not the alert it pages for (a warning gave way to
      // the critical one; a ServiceFlapping critical stepped down to a warning), except a higher one
      // of an alert that only escalates: the page was drawn by a replica holding the critical alert,
      // this one holds the warning (started after it fired, or has yet to see the last loss). The
      // acknowledgement keeps the severity named, and covers the alert of that severity only, on every replica.
      if (request.severity !== undefined && request.severity !== alert.labels.severity && !(ESCALATES_ONLY.has(alert.labels.alertname) && SEVERITY_RANK[request.severity] > SEVERITY_RANK[alert.labels.severity])) return { ok: false, code: 'severity_changed' };
      if (alert.state !== 'firing') return { ok: false, code: 'not_firing' };
      if (alert.acknowledged) return { ok: false, code: 'already_acknowledged' };
      const ack = await options.acks.create({ ...request, severity: request.severity ?? alert.labels.severity }, by, now());
      if (!ack) return { ok: false, code: 'already_acknowledged' };
      acks.change((current) => [ack, ...current]);
      const where = { service: ack.service, ...(alert.labels.instance !== undefined ? { instance: alert.labels.instance } : {}) };
      options.record({ at: ack.at, kind: 'alert.acknowledged', ...where, actor: by, detail: `${ackName(ack)} acknowledged${ack.reason !== undefined ? `: ${ack.reason}` : ''}` });
      return { ok: true, ack };
    },
    findAck: (id: string): Promise<Ack | undefined> => options.acks.find(id),
    async unacknowledge(id: string, by: string): Promise<Ack | undefined> {
      const ended = await options.acks.end(id, by, now());
      if (!ended) return undefined;
      acks.change((current) => current.filter((ack) => ack.id !== id));
      options.record({ at: new Date(now()).toISOString(), kind: 'alert.unacknowledged', service: ended.service, actor: by, detail: `${ackName(ended)} acknowledgement withdrawn (was by ${ended.by}${ended.reason !== undefined ? `: ${ended.reason}` : ''})` });
      return ended;
    },
    stop(): void {
      stopped = true;
      cancelTick?.();
      cancelCatchUpRetry?.();
      cancelHoldEnd?.();
      for (const alertmanager of alertmanagers) alertmanager.stop();
      webhookQueue?.stop();
    },
  };
}
