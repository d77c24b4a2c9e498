import { alertKey, currentConditions, ESCALATES_ONLY, ORIGIN_ALERTS, SUPPRESSIBLE, type AlertLabels, type EvaluationInput } from './conditions';
import { ackFor, type Ack } from './acks';
import type { AlertName, AlertRules } from './rules';
import { silenceFor, type Silence } from './silences';

/**
 * - `pending`: the condition holds, not yet for its rule's duration;
 * - `firing`: notified (and re-sent while it lasts);
 * - `suppressed`: would fire, but held because a dependency is the probable origin;
 * - `silenced`: would fire, but an operator silenced it (until the silence ends);
 * - `resolved`: the condition ended.
 */
export type AlertState = 'pending' | 'firing' | 'suppressed' | 'silenced' | 'resolved';

/** An alert as the API, the Alerts page and the delivery paths see it (times ISO). */
export interface AlertView {
  key: string;
  labels: AlertLabels;
  summary: string;
  description: string;
  /** Console path of the view it is about. */
  path: string;
  state: AlertState;
  /** When the condition began. */
  activeSince: string;
  /** When it was first notified (absent: never sent). */
  firedAt?: string;
  /**
   * When it ended (Alertmanager's `endsAt`): for ServiceCritical or InstancesLost ending with its
   * service passing again, the service's `recoveredAt` (`resolvedOn: 'recovery'`), the same moment
   * its incident ends and its page says it recovered; otherwise — the traffic alerts always — the
   * evaluation that found the condition gone (`resolvedOn: 'evaluation'`, up to one evaluation
   * interval late).
   */
  resolvedAt?: string;
  resolvedOn?: 'recovery' | 'evaluation';
  /**
   * A resolved alert's last state before it resolved: `firing` (sent, when a receiver is configured),
   * `suppressed` (held by its origin's alert, `suppressedBy`) or `silenced`. Pending alerts that
   * clear before their rule's duration never fired, and are not kept among the resolved.
   */
  endedAs?: 'firing' | 'suppressed' | 'silenced';
  /** Sent at least once: its resolve is always sent too, whatever holds it later. */
  notified: boolean;
  /** The probable origin (a dependency) whose alert holds this one. */
  suppressedBy?: string;
  /** The origin's failure explains this one's, even though it was notified before that was known. */
  explainedBy?: string;
  /** The silence that holds it, while silenced. */
  silencedBy?: string;
  /** The alerts this one holds, suppressed or still pending (it is their probable origin's alert): service names, in name order. */
  holds?: string[];
  /** An operator is on it: firing, still re-sent to Alertmanager (which it silences there), resolve still sent. */
  acknowledged?: Ack;
}

export type AlertTransition = { kind: 'fired' | 'resolved' | 'suppressed'; alert: AlertView };

interface Entry {
  key: string;
  labels: AlertLabels;
  summary: string;
  description: string;
  /** Its words while pending, where the condition has its own (Condition.pendingDescription). */
  pendingDescription?: string;
  path: string;
  forMs: number;
  state: AlertState;
  activeSinceMs: number;
  /** When its rule's duration began: `activeSinceMs`, or the first evaluation that saw it (Condition.waitsFromFirstSeen). */
  waitFromMs: number;
  firedAtMs?: number;
  resolvedAtMs?: number;
  resolvedOn?: 'recovery' | 'evaluation';
  /** The last evaluation in which its condition held. */
  heldAtMs: number;
  endedAs?: 'firing' | 'suppressed' | 'silenced';
  notified: boolean;
  explainedBy?: string;
  silencedBy?: string;
  /** Key of the origin's alert holding it (pending or suppressed). */
  heldBy?: string;
  /** When its hold last ended: it must fail on its own for its duration from then before it is sent. */
  releasedAtMs?: number;
  /** The acknowledgement of this firing, while it lasts. */
  ack?: Ack;
  /** Its words when it last fired, was suppressed or was silenced: what it says once resolved. */
  firedWords?: { summary: string; description: string };
}

export interface AlertEngineOptions {
  rules: AlertRules;
  /** Resolved alerts kept for the Alerts page: at most this many… */
  resolvedLimit?: number;
  /** …for at most this long. */
  resolvedKeepMs?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The alerts whose condition is the service's status itself, so that its end is the service's
 * recovery (its `recoveredAt`, the moment its last failing instance passed again): ServiceCritical
 * (the service critical) and InstancesLost (instances lost or back without a verdict while it is
 * not passing). Not the traffic alerts, ServiceErrorRate and ServiceLatency: their signal (an error
 * rate, a p95) ends on its own clock, and the service's latest recovery may be any instance's flap
 * back to passing between two evaluations, which would date the end of a latency it has nothing to
 * do with; they resolve at the evaluation that found them over.
 */
const RECOVERY_ENDS: ReadonlySet<AlertName> = new Set<AlertName>(['ServiceCritical', 'InstancesLost']);

/** Alerts and their states, updated by each evaluation (createAlertEngine). */
export interface AlertEngine {
  /**
   * One evaluation at `nowMs`: updates every alert and returns what changed for delivery and
   * history. A silence holds what would be sent, never a resolve (an alert already sent stays so).
   * An acknowledgement marks a firing alert until it resolves (then it is used up) or is withdrawn.
   */
  evaluate(input: EvaluationInput, nowMs: number, silences?: readonly Silence[], acks?: readonly Ack[]): AlertTransition[];
  /** Pending, firing and suppressed alerts; an origin's alert lists the alerts it holds. */
  alerts(): AlertView[];
  /** Resolved alerts still kept (newest first): those that fired, were suppressed or were silenced. */
  recentlyResolved(): AlertView[];
  /**
   * Acknowledgements whose firing resolved: they cover no later firing, even of an alert with the
   * same name and service (a ServiceFlapping warning that gave way to a critical one).
   */
  usedUpAcks(): ReadonlySet<string>;
}

/**
 * Alerts from the health model's verdicts, with dependency-aware suppression: a caller whose
 * probable origin is one of its dependencies is held while that origin has an alert of its own,
 * and attached to it. Holding never touches monitoring (the conditions are evaluated every time),
 * never holds a resolve (a notified alert stays notified until it ends), and follows the origin's
 * real status: when the origin recovers while the caller still fails for its rule's duration from
 * then, the caller is the next origin or stands alone, and fires. Pure: time is the caller's `nowMs`.
 */
export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  const resolvedLimit = options.resolvedLimit ?? 200;
  const resolvedKeepMs = options.resolvedKeepMs ?? 3_600_000;
  const active = new Map<string, Entry>();
  /** Oldest first. */
  let resolved: Entry[] = [];
  /** Acknowledgements whose firing resolved: they never cover a later firing, even before the store says they ended. */
  let usedUpAcks = new Set<string>();

  const view = (entry: Entry): AlertView => ({
    key: entry.key,
    labels: entry.labels,
    summary: entry.summary,
    description: entry.state === 'pending' ? (entry.pendingDescription ?? entry.description) : entry.description,
    path: entry.path,
    state: entry.state,
    activeSince: iso(entry.activeSinceMs),
    ...(entry.firedAtMs !== undefined ? { firedAt: iso(entry.firedAtMs) } : {}),
    ...(entry.resolvedAtMs !== undefined ? { resolvedAt: iso(entry.resolvedAtMs) } : {}),
    ...(entry.resolvedOn !== undefined ? { resolvedOn: entry.resolvedOn } : {}),
    ...(entry.endedAs !== undefined ? { endedAs: entry.endedAs } : {}),
    notified: entry.notified,
    ...((entry.state === 'suppressed' || entry.endedAs === 'suppressed') && entry.explainedBy !== undefined ? { suppressedBy: entry.explainedBy } : {}),
    ...(entry.state !== 'suppressed' && entry.endedAs !== 'suppressed' && entry.explainedBy !== undefined ? { explainedBy: entry.explainedBy } : {}),
    ...(entry.state === 'silenced' && entry.silencedBy !== undefined ? { silencedBy: entry.silencedBy } : {}),
    ...(entry.ack !== undefined ? { acknowledged: entry.ack } : {}),
  });

  const prune = (nowMs: number): void => {
    resolved = resolved.filter((old) => (old.resolvedAtMs ?? 0) > nowMs - resolvedKeepMs).slice(-resolvedLimit);
  };

  return {
    evaluate(input: EvaluationInput, nowMs: number, silences: readonly Silence[] = [], acks: readonly Ack[] = []): AlertTransition[] {
      const transitions: AlertTransition[] = [];
      // Only ids still in the store matter: the set stays as small as the acknowledgements are.
      const ackIds = new Set(acks.map((ack) => ack.id));
      usedUpAcks = new Set([...usedUpAcks].filter((id) => ackIds.has(id)));
      const conditions = currentConditions(input, options.rules, nowMs);
      // Alerts whose severity only rises (ESCALATES_ONLY), as they stood before this evaluation, by name and service.
      const escalating = new Map<string, Entry>();
      for (const entry of active.values()) if (ESCALATES_ONLY.has(entry.labels.alertname)) escalating.set(alertKey(entry.labels.alertname, entry.labels.service), entry);
      const seen = new Set<string>();
      for (const condition of conditions) {
        const previous = escalating.get(alertKey(condition.labels.alertname, condition.labels.service));
        // A critical one past its rule's duration stands for a warning condition until it resolves (one
        // still pending never met its rule); any stands for a recovery under way (keepsSeverity).
        const stands = previous !== undefined && (condition.keepsSeverity === true || (previous.labels.severity === 'critical' && previous.state !== 'pending'));
        const key = stands ? previous.key : condition.key;
        seen.add(key);
        let entry = active.get(key);
        if (!entry) {
          // Labels are the alert's identity in Alertmanager: fixed for its whole life.
          const activeSinceMs = Math.min(condition.since ?? nowMs, nowMs);
          const waitFromMs = condition.waitsFromFirstSeen === true ? nowMs : activeSinceMs;
          entry = { key, labels: condition.labels, summary: '', description: '', path: '', forMs: 0, state: 'pending', activeSinceMs, waitFromMs, heldAtMs: nowMs, notified: false };
          active.set(key, entry);
        }
        entry.heldAtMs = nowMs;
        entry.summary = condition.summary;
        entry.description = condition.description;
        if (condition.pendingDescription !== undefined) entry.pendingDescription = condition.pendingDescription;
        else delete entry.pendingDescription;
        entry.path = condition.path;
        entry.forMs = condition.forMs;
        if (condition.explainedBy !== undefined) entry.explainedBy = condition.explainedBy;
        else delete entry.explainedBy;
      }
      for (const [key, entry] of active) {
        if (seen.has(key)) continue;
        active.delete(key);
        // Still pending (it never reached its rule's duration): it never fired, so nothing resolved.
        const endedAs = entry.notified ? 'firing' : entry.state === 'suppressed' || entry.state === 'silenced' ? entry.state : undefined;
        entry.state = 'resolved';
        // Resolved, it says why it fired: its last words described the way out ("registered again
        // with no probe verdict yet" for an InstancesLost that fired on a crash); how it ended is resolvedOn.
        if (entry.firedWords) Object.assign(entry, entry.firedWords);
        // A status condition whose service passed again since the last evaluation that saw it: it ended then.
        const recoveredMs = RECOVERY_ENDS.has(entry.labels.alertname) ? Date.parse(input.recoveredAt?.get(entry.labels.service) ?? '') : NaN;
        const byRecovery = recoveredMs > entry.heldAtMs && recoveredMs <= nowMs;
        entry.resolvedAtMs = byRecovery ? recoveredMs : nowMs;
        entry.resolvedOn = byRecovery ? 'recovery' : 'evaluation';
        delete entry.heldBy;
        // Also one taken since the last evaluation, which only this one would have marked: it must not pass to what takes its place.
        const ack = entry.ack ?? (entry.notified ? ackFor(acks, entry.labels, usedUpAcks) : undefined);
        if (ack) usedUpAcks.add(ack.id);
        if (endedAs === undefined) continue;
        entry.endedAs = endedAs;
        resolved.push(entry);
        if (entry.notified) transitions.push({ kind: 'resolved', alert: view(entry) });
      }
      // An origin's own alert, pending or not: its callers wait for it rather than page before it.
      const originAlert = new Map<string, Entry>();
      for (const entry of active.values()) {
        if (ORIGIN_ALERTS.has(entry.labels.alertname) && !originAlert.has(entry.labels.service)) originAlert.set(entry.labels.service, entry);
      }
      for (const entry of active.values()) {
        if (entry.notified) {
          entry.state = 'firing';
          const ack = ackFor(acks, entry.labels, usedUpAcks);
          if (ack) entry.ack = ack;
          else delete entry.ack;
          continue;
        }
        const holder = entry.explainedBy !== undefined && SUPPRESSIBLE.has(entry.labels.alertname) ? originAlert.get(entry.explainedBy) : undefined;
        if (holder) entry.heldBy = holder.key;
        else if (entry.heldBy !== undefined) {
          // The origin recovered first; callers take a moment longer (probes, traffic windows).
          delete entry.heldBy;
          entry.releasedAtMs = nowMs;
        }
        if (nowMs - Math.max(entry.waitFromMs, entry.releasedAtMs ?? 0) < entry.forMs) continue;
        if (holder) {
          if (entry.state !== 'suppressed') {
            entry.state = 'suppressed';
            entry.firedWords = { summary: entry.summary, description: entry.description };
            transitions.push({ kind: 'suppressed', alert: view(entry) });
          }
          continue;
        }
        const silence = silenceFor(silences, entry.labels, nowMs);
        if (silence) {
          if (entry.state !== 'silenced') entry.firedWords = { summary: entry.summary, description: entry.description };
          entry.state = 'silenced';
          entry.silencedBy = silence.id;
          continue;
        }
        delete entry.silencedBy;
        entry.state = 'firing';
        entry.notified = true;
        entry.firedAtMs = nowMs;
        entry.firedWords = { summary: entry.summary, description: entry.description };
        transitions.push({ kind: 'fired', alert: view(entry) });
      }
      prune(nowMs);
      return transitions;
    },

    alerts(): AlertView[] {
      const holds = new Map<string, string[]>();
      for (const entry of active.values()) {
        if (entry.heldBy === undefined) continue;
        const list = holds.get(entry.heldBy) ?? [];
        list.push(entry.labels.service);
        holds.set(entry.heldBy, list);
      }
      return [...active.values()].map((entry) => {
        const held = holds.get(entry.key);
        return held ? { ...view(entry), holds: [...new Set(held)].sort() } : view(entry);
      });
    },

    recentlyResolved(): AlertView[] {
      return resolved.map(view).reverse();
    },
    usedUpAcks(): ReadonlySet<string> {
      return usedUpAcks;
    },
  };
}
