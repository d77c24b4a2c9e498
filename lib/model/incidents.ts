import { z } from 'zod';
import { RESPONSE_BEGAN, type HistoryEvent } from './events';
import { fleetRecord } from './fleet-record';
import { StatusSchema } from './instance';
import { returnedAsInDetail } from './history-wording';
import { criticalChange, FLAP_CHANGES_KEPT, FLAP_MIN_CHANGES, FLAP_WINDOW_MS, tallyChange } from './status/flapping';
import type { Adjacency } from './topology/graph';

/** One stretch of trouble in one service (see `deriveIncidents` for exactly what counts). */
export interface Incident {
  /** `service:id-of-the-first-failure-event`: stable for as long as that event is in the window. */
  id: string;
  service: string;
  openedAt: string;
  /**
   * null while the incident is open. The moment no instance of the service is failing any more: the
   * last one's recovery (its status back to `passing`: `closedBy: 'recovery'`, the service's
   * `recoveredAt`, its alert's resolve), or its leaving (`'departure'`: deregistered, a loss
   * dismissed or past its retention, a vanishing).
   */
  closedAt: string | null;
  /** How it ended (null while open): see `closedAt`. */
  closedBy: 'recovery' | 'departure' | null;
  /** null while the incident is open. */
  durationMs: number | null;
  /** Every instance that failed during the incident, in the order they first failed. */
  instances: string[];
  /** Why it opened: the first failure's cause, as its event gave it (that of `instances[0]`). */
  cause: string;
  /**
   * Failures that opened or joined the incident (an instance failing twice counts twice; one that
   * vanished and was then found still serving, its loss, counts once).
   */
  failures: number;
  /** Most instances failing at the same moment (a vanished instance counts at its instant). */
  peakFailing: number;
  /**
   * The earliest warning on the service still standing when the incident opened (at most
   * `FIRST_SIGN_LOOKBACK_MS` before): where the trouble showed before anything was critical. Null
   * when the incident's first failure came without one.
   */
  firstSign: FirstSign | null;
  /**
   * The earliest incident, open when this one opened, of a service this one depends on (calls or
   * declares, directly or through others, on the map as it is now): where the outage probably
   * started. Null when none, or when the analysis had no map.
   */
  upstream: IncidentUpstream | null;
  /**
   * The instance that flapped hardest during the incident, by the service page's rule
   * (status/flapping.ts: FLAP_MIN_CHANGES changes into or out of critical within FLAP_WINDOW_MS);
   * absent when none flapped.
   */
  flapping?: IncidentFlapping;
}

export interface IncidentFlapping {
  instance: string;
  /** Its most changes into or out of critical within one FLAP_WINDOW_MS ending at a change made during the incident (those before it, in earlier incidents, count too). */
  changes: number;
}

export interface IncidentUpstream {
  service: string;
  /** That incident's id and when it opened. */
  id: string;
  openedAt: string;
}

export interface FirstSign {
  at: string;
  instance: string;
  /** The warning's cause, as its event gave it. */
  cause: string;
}

export interface IncidentOptions {
  /** End of what the events cover (ms since the epoch); events after it are ignored. */
  now: number;
  /** A failure this soon after an incident closed reopens it (default 2 minutes). */
  mergeGapMs?: number;
}

export const DEFAULT_MERGE_GAP_MS = 120_000;
/**
 * How far before an incident a standing warning still counts as its first sign: an error or
 * latency ramp turns critical within minutes; a warning older than this is a condition of its own.
 */
export const FIRST_SIGN_LOOKBACK_MS = 600_000;

/**
 * True for the `detail` the registry lifecycle writes when the instance's lease ended and may have
 * expired (etcd cannot tell a late revoke from an expiry); a lease known to be revoked is not a failure.
 */
export function isLeaseExpiry(detail: string): boolean {
  return /^lease \S+ (expired|ended \(revoked or expired\))$/.test(detail);
}

/**
 * True for a committed event that can open, join or close an incident (`failureSignal` is not
 * 'none' for it in some state): a status change to anything but warning (a failure ends at a pass
 * even after a step down to warning), a loss or its clearing, a deregistration. What the incidents
 * view refetches on, so an incident shows as its row lands.
 */
export function mayChangeIncidents(event: Pick<HistoryEvent, 'kind' | 'to'>): boolean {
  switch (event.kind) {
    case 'health.changed':
      return event.to !== 'warning';
    case 'instance.lost':
    case 'instance.lost_cleared':
    case 'instance.deregistered':
      return true;
    default:
      return false;
  }
}

/** What one event means for incidents: an instance starts failing, stops, fails for an instant, or nothing. */
export type FailureSignal = 'start' | 'stop' | 'point' | 'none';

/**
 * Classifies an event for an instance that is (or is not) failing right now, and is (or is not)
 * lost (DESIGN §6). A failing instance stops failing when it recovers — its status back to
 * `passing` (or `unknown`: no longer judged), the moment the console calls recovered (docs/ARCHITECTURE
 * "Recovered at") — or when it leaves: deregistered, or its loss cleared (dismissed, retention over).
 * Neither a step down to `warning` nor a registration is a recovery: an instance back after its
 * loss fails until its probes pass (it used to stop at its registration, before any probe, so the
 * incident ended seconds before the service was green again); a lost instance's key going does not
 * end its loss either.
 */
export function failureSignal(event: HistoryEvent, failing: boolean, lost = false): FailureSignal {
  switch (event.kind) {
    case 'health.changed':
      if (event.to === 'critical') return failing ? 'none' : 'start';
      return failing && !lost && event.to !== 'warning' ? 'stop' : 'none';
    case 'instance.lost':
      return failing ? 'none' : 'start';
    case 'instance.lost_cleared':
      return lost && failing ? 'stop' : 'none';
    case 'instance.deregistered':
      if (lost) return 'none';
      if (failing) return 'stop';
      return isLeaseExpiry(event.detail) ? 'point' : 'none';
    default:
      return 'none';
  }
}

interface Draft {
  id: string;
  service: string;
  cause: string;
  /** The instance whose vanishing gave `cause`: its loss, found later (still serving), says more. */
  causeVanished: string | undefined;
  openedMs: number;
  closedMs: number | null;
  closedBy: Incident['closedBy'];
  instances: Set<string>;
  failures: number;
  peakFailing: number;
  firstSign: FirstSign | null;
  /** Per instance, the most changes into or out of critical within one window at a change made while this incident was open. */
  criticalChanges: Map<string, number>;
}

interface ServiceState {
  failing: Set<string>;
  /** Instances between their `instance.lost` and their return or cleared loss. */
  lost: Set<string>;
  /** Instances in warning, or critical straight after one, with the event that began it. */
  warnings: Map<string, { atMs: number; event: HistoryEvent }>;
  /**
   * Instances whose vanishing counted in the open or last closed incident, not back since: a loss of
   * one later (its check found it serving, minutes later when checks queue) is that departure judged,
   * not another failure. Cleared as a new incident opens: an older one is never reopened.
   */
  vanished: Map<string, Draft>;
  /** Instances down by flapping's rule (`criticalChange`): critical, or warning since, without a recovery; a loss keeps one down. */
  down: Set<string>;
  /** Per instance, its changes into or out of critical within the window of its latest (`tallyChange`), across incidents as the page counts them: a recovery held past the merge gap ends no flapping. */
  changes: Map<string, number[]>;
  open: Draft | null;
  lastClosed: Draft | null;
}

/** A failure event's cause: its detail, without the failing response's first bytes a probe failure carries. */
function failureCause(event: Pick<HistoryEvent, 'kind' | 'detail'>): string {
  const [cause = ''] = event.detail.split(RESPONSE_BEGAN);
  // What, then why: the reason after a dash, as service causes have it, so "(… (revoked or expired))" never nests.
  return event.kind === 'instance.deregistered' ? `vanished without turning critical first — ${cause}` : cause;
}

/** Keeps each instance's standing warning: from a change to `warning` through a critical that follows it, until anything else. */
function trackWarning(warnings: ServiceState['warnings'], event: HistoryEvent, instance: string, atMs: number): void {
  if (event.kind === 'health.changed') {
    if (event.to === 'warning') {
      if (!warnings.has(instance)) warnings.set(instance, { atMs, event });
    } else if (event.to !== 'critical') warnings.delete(instance);
  } else if (event.kind === 'instance.registered' || event.kind === 'instance.deregistered') warnings.delete(instance);
}

/** The earliest standing warning that began before `openedMs` and within the lookback. */
function firstSignBefore(warnings: ServiceState['warnings'], openedMs: number): FirstSign | null {
  let earliest: { atMs: number; event: HistoryEvent } | undefined;
  for (const warning of warnings.values()) {
    if (warning.atMs >= openedMs || warning.atMs < openedMs - FIRST_SIGN_LOOKBACK_MS) continue;
    if (!earliest || warning.atMs < earliest.atMs) earliest = warning;
  }
  if (!earliest?.event.instance) return null;
  return { at: new Date(earliest.atMs).toISOString(), instance: earliest.event.instance, cause: failureCause(earliest.event) };
}

/**
 * The service's open incident; else the one that closed at most `mergeGapMs` ago (or at any time
 * when it is `judged`'s: the vanishing the event is the loss of), reopened; else a new one.
 */
function openOrReopen(state: ServiceState, first: { service: string; event: HistoryEvent; atMs: number }, mergeGapMs: number, drafts: Draft[], judged: Draft | undefined): Draft {
  if (state.open) return state.open;
  const recent = state.lastClosed;
  if (recent && recent.closedMs !== null && (first.atMs - recent.closedMs <= mergeGapMs || recent === judged)) {
    recent.closedMs = null;
    recent.closedBy = null;
    state.open = recent;
    return recent;
  }
  const draft: Draft = {
    id: `${first.service}:${first.event.id}`,
    service: first.service,
    cause: failureCause(first.event),
    causeVanished: first.event.kind === 'instance.deregistered' ? first.event.instance : undefined,
    openedMs: first.atMs,
    closedMs: null,
    closedBy: null,
    instances: new Set(),
    failures: 0,
    peakFailing: 0,
    firstSign: firstSignBefore(state.warnings, first.atMs),
    criticalChanges: new Map(),
  };
  drafts.push(draft);
  state.open = draft;
  state.vanished.clear();
  return draft;
}

/**
 * When a failure began: for a status turned critical by failed probes, the first failed probe of
 * its streak (`firstFailedAt`), never later than the row itself; else the row's time.
 */
function failureStartMs(event: HistoryEvent, atMs: number): number {
  const firstFailedMs = event.kind === 'health.changed' && event.firstFailedAt !== undefined ? Date.parse(event.firstFailedAt) : NaN;
  return Number.isFinite(firstFailedMs) && firstFailedMs < atMs ? firstFailedMs : atMs;
}

function closeIfQuiet(state: ServiceState, atMs: number, by: 'recovery' | 'departure'): void {
  if (!state.open || state.failing.size > 0) return;
  state.open.closedMs = atMs;
  state.open.closedBy = by;
  state.lastClosed = state.open;
  state.open = null;
}

/** The instance with the most changes into or out of critical within one window, if that is flapping. */
function flappingIn(draft: Draft): IncidentFlapping | undefined {
  let hardest: IncidentFlapping | undefined;
  for (const [instance, most] of draft.criticalChanges) {
    if (most >= FLAP_MIN_CHANGES && most > (hardest?.changes ?? 0)) hardest = { instance, changes: most };
  }
  return hardest;
}

/**
 * Whether an event is a change flapping counts (the status publisher's rule, so History and the
 * service page agree), keeping `down` in step: a status change by `criticalChange`; a loss of an
 * instance not down goes into critical (its stand-in is critical); a loss ended without a return,
 * or a registration that ends no loss (it starts unprobed), leaves it not down. A deregistration, a
 * vanishing included, changes nothing: a crash loop's instance is down until it passes again.
 */
function isCriticalChange(down: Set<string>, event: HistoryEvent, instance: string, lost: boolean, backAs: string | undefined): boolean {
  const to = event.kind === 'health.changed' ? StatusSchema.safeParse(event.to) : null;
  if (to?.success) {
    const change = criticalChange(down.has(instance), to.data);
    if (change.down) down.add(instance);
    else down.delete(instance);
    return change.counts;
  }
  if (event.kind === 'instance.lost') {
    const counts = !down.has(instance);
    down.add(instance);
    return counts;
  }
  if (event.kind === 'instance.registered' && !lost) down.delete(instance);
  if (event.kind === 'instance.lost_cleared') {
    if (backAs === undefined) down.delete(instance);
    else if (backAs !== instance && down.delete(instance)) down.add(backAs);
  }
  return false;
}

/** An instance's flapping as its history rows leave it: change times (ms, oldest first) and whether it is down after them. */
export interface RecordedCriticalChanges {
  changes: number[];
  down: boolean;
  /**
   * Down, and its last row into critical was its calls' (a `health.changed` to critical with no
   * `firstFailedAt`: only the probes' carry one; a loss is a row of its own kind). Not kept over a
   * restart, those calls are what the next run must judge before it may call the instance passing.
   */
  downByCalls?: true;
}

/** The rows `recentCriticalChanges` reads: those `isCriticalChange` weighs. */
export const CRITICAL_CHANGE_KINDS = ['health.changed', 'instance.lost', 'instance.lost_cleared', 'instance.registered'] as const;

/**
 * Per `service\0instance`, the changes into or out of critical that `events` (ascending, the last
 * FLAP_WINDOW_MS before `nowMs`) make by the rule incidents count flapping by, within the window of
 * `nowMs` (at most FLAP_CHANGES_KEPT), and whether the instance is down after them: what the status
 * publisher starts from after a restart, so the page counts what History counts. Every instance with
 * a row here has an entry, down or not. One whose first row is a change from critical, or the end of
 * a loss, was down before it: its failure began earlier, and its recovery counts, as a longer read's
 * would. `events` may start with each instance's newest row before the window (recorded-flaps.ts),
 * so the down it is in as the window opens is the one History's every row leaves it.
 */
export function recentCriticalChanges(events: readonly HistoryEvent[], nowMs: number): Map<string, RecordedCriticalChanges> {
  const byService = new Map<string, { down: Set<string>; lost: Set<string>; changes: Map<string, number[]>; intoCriticalByCalls: Set<string> }>();
  for (const event of events) {
    const { service, instance } = event;
    const atMs = Date.parse(event.at);
    if (service === undefined || instance === undefined || !(atMs <= nowMs)) continue;
    let state = byService.get(service);
    if (!state) {
      state = { down: new Set(), lost: new Set(), changes: new Map(), intoCriticalByCalls: new Set() };
      byService.set(service, state);
    }
    let changes = state.changes.get(instance);
    if (!changes) {
      changes = [];
      state.changes.set(instance, changes);
      if ((event.kind === 'health.changed' && event.from === 'critical') || event.kind === 'instance.lost_cleared') state.down.add(instance);
    }
    const returnedAs = event.kind === 'instance.lost_cleared' ? (event.returnedAs ?? returnedAsInDetail(event.detail, instance)) : undefined;
    if (isCriticalChange(state.down, event, instance, state.lost.has(instance), returnedAs)) changes.push(atMs);
    if (event.kind === 'health.changed' && event.to === 'critical' && event.firstFailedAt === undefined) state.intoCriticalByCalls.add(instance);
    else if ((event.kind === 'health.changed' && event.to === 'critical') || event.kind === 'instance.lost') state.intoCriticalByCalls.delete(instance);
    if (event.kind === 'instance.lost') state.lost.add(instance);
    else if (event.kind === 'instance.registered' || event.kind === 'instance.lost_cleared') state.lost.delete(instance);
    // Down moved to the id it came back as: that id has a record too.
    if (returnedAs !== undefined && !state.changes.has(returnedAs)) state.changes.set(returnedAs, []);
  }
  const recorded = new Map<string, RecordedCriticalChanges>();
  for (const [service, state] of byService) {
    for (const [instance, changes] of state.changes) {
      const inWindow = changes.filter((changeMs) => nowMs - changeMs < FLAP_WINDOW_MS).slice(-FLAP_CHANGES_KEPT);
      const down = state.down.has(instance);
      recorded.set(`${service}\0${instance}`, { changes: inWindow, down, ...(down && state.intoCriticalByCalls.has(instance) ? { downByCalls: true as const } : {}) });
    }
  }
  return recorded;
}

function toIncident(draft: Draft): Incident {
  const flapping = flappingIn(draft);
  return {
    id: draft.id,
    service: draft.service,
    openedAt: new Date(draft.openedMs).toISOString(),
    closedAt: draft.closedMs === null ? null : new Date(draft.closedMs).toISOString(),
    closedBy: draft.closedMs === null ? null : draft.closedBy,
    durationMs: draft.closedMs === null ? null : draft.closedMs - draft.openedMs,
    instances: [...draft.instances],
    cause: draft.cause,
    failures: draft.failures,
    peakFailing: draft.peakFailing,
    firstSign: draft.firstSign,
    upstream: null,
    ...(flapping ? { flapping } : {}),
  };
}

/**
 * Incidents from history events (ascending time; one service or many), oldest first.
 *
 * Per service, an instance is *failing* from a `health.changed` to `critical` (from the first failed
 * probe of its streak when the row says, `firstFailedAt`: an incident opens where the trouble
 * started, not at the probe that reached the threshold) until a
 * `health.changed` to `passing` or `unknown` (its recovery; `warning` is not one), or an
 * `instance.deregistered` (whatever the reason). A lost instance (`instance.lost`) fails until an
 * `instance.lost_cleared` that is no return (dismissed, retention over); back, the failure goes on
 * under the id its `instance.lost_cleared` names (`returnedAs`: its own, or a new one) until that
 * one's recovery, whatever its key's deregistration says. An `instance.deregistered` whose lease
 * expired while the instance was NOT failing ("vanished") is a point failure: it opens or joins an
 * incident but holds nothing open.
 *
 * An incident opens at a failure when none is open for the service and closes at the moment no
 * instance of the service is failing any more: the last one's recovery, which is the service's
 * `recoveredAt` (a point-only incident closes at its last point).
 * A failure at most `mergeGapMs` after an incident closed reopens that same incident, so a
 * flapping instance makes one incident, not twenty; so does the loss of an instance whose vanishing
 * it counted (found still serving, however late its check ruled), which is no second failure.
 *
 * A new incident's `firstSign` is the earliest warning on one of the service's instances that still
 * stood when it opened (a change to `warning`, and any critical straight after it, until another
 * change, a registration or a deregistration), begun at most `FIRST_SIGN_LOOKBACK_MS` before.
 * It does not move `openedAt`: time to recovery still counts from the first failure.
 *
 * `history.gap` events are ignored: an incident open when Switchyard stopped watching stays open
 * until an event after the gap ends it (the relist's deregistrations and fresh health changes do).
 * An incident still open at `now` is returned open (`closedAt` and `durationMs` null).
 * Events without a service or an instance, and events after `now`, are ignored.
 */
export function deriveIncidents(events: readonly HistoryEvent[], options: IncidentOptions): Incident[] {
  const deriver = incidentDeriver(options);
  deriver.add(events);
  return deriver.incidents();
}

/** `deriveIncidents` fed in pieces: the same incidents, from events given in ascending order over several `add` calls. */
export interface IncidentDeriver {
  /** The next events (ascending, after every event added before). */
  add(events: readonly HistoryEvent[]): void;
  /** The incidents of every event added so far, oldest first (by when they opened); from `start` to `end` of them when given. */
  incidents(start?: number, end?: number): Incident[];
  /** How many incidents the events added so far make. */
  count(): number;
}

/** An incremental `deriveIncidents` (same rules), so a long history can be read and analysed a page at a time. */
export function incidentDeriver(options: IncidentOptions): IncidentDeriver {
  const mergeGapMs = options.mergeGapMs ?? DEFAULT_MERGE_GAP_MS;
  const states = new Map<string, ServiceState>();
  const drafts: Draft[] = [];
  const addOne = (event: HistoryEvent): void => {
    const { service, instance } = event;
    if (service === undefined || instance === undefined) return;
    const atMs = Date.parse(event.at);
    if (!(atMs <= options.now)) return;
    let state = states.get(service);
    if (!state) {
      state = { failing: new Set(), lost: new Set(), warnings: new Map(), vanished: new Map(), down: new Set(), changes: new Map(), open: null, lastClosed: null };
      states.set(service, state);
    }
    let signal = failureSignal(event, state.failing.has(instance), state.lost.has(instance));
    // Back (under its own id, or another: go-zero's keys name the lease): the failure goes on under
    // the id it registered as until that passes. The row says which (`returnedAs`); a row from before
    // it did is read from its words, which give no id when they are ambiguous: the loss ends there.
    const returnedAs = event.kind === 'instance.lost_cleared' ? (event.returnedAs ?? returnedAsInDetail(event.detail, instance)) : undefined;
    const backAs = signal === 'stop' ? returnedAs : undefined;
    if (backAs !== undefined) {
      state.failing.delete(instance);
      state.failing.add(backAs);
      signal = 'none';
    }
    const countsAsFlap = isCriticalChange(state.down, event, instance, state.lost.has(instance), returnedAs);
    const openBefore = state.open;
    addSignal(state, event, service, instance, atMs, signal);
    if (!countsAsFlap) return;
    const recent = state.changes.get(instance) ?? [];
    state.changes.set(instance, recent);
    const inWindow = tallyChange(recent, atMs);
    // A change into critical belongs to the incident it opened or joined, one out of it to the one it was in.
    const counting = state.open ?? openBefore;
    if (counting) counting.criticalChanges.set(instance, Math.max(counting.criticalChanges.get(instance) ?? 0, inWindow));
  };
  const addSignal = (state: ServiceState, event: HistoryEvent, service: string, instance: string, atMs: number, signal: FailureSignal): void => {
    // Read when this event opens an incident: a warning that turns critical is its own first sign.
    trackWarning(state.warnings, event, instance, atMs);
    if (event.kind === 'instance.lost') state.lost.add(instance);
    else if (event.kind === 'instance.registered' || event.kind === 'instance.lost_cleared') state.lost.delete(instance);
    // Back: a later loss of it is a new fault, not what its vanishing was.
    if (event.kind === 'instance.registered') {
      for (const draft of [state.open, state.lastClosed]) if (draft?.causeVanished === instance) draft.causeVanished = undefined;
      state.vanished.delete(instance);
    }
    if (signal === 'none') return;
    if (signal === 'stop') {
      state.failing.delete(instance);
      closeIfQuiet(state, atMs, event.kind === 'health.changed' ? 'recovery' : 'departure');
      return;
    }
    if (signal === 'start') state.failing.add(instance);
    const startMs = signal === 'start' ? failureStartMs(event, atMs) : atMs;
    const vanishedIn = event.kind === 'instance.lost' ? state.vanished.get(instance) : undefined;
    if (vanishedIn) state.vanished.delete(instance);
    const incident = openOrReopen(state, { service, event, atMs: startMs }, mergeGapMs, drafts, vanishedIn);
    // Joining an incident opened after its probes began failing (by an error rate, or a later streak
    // that reached its threshold first): the incident began with it, never before the last one closed,
    // and it is the first failure, its cause the incident's (the id stays: links to it hold).
    if (startMs < incident.openedMs) {
      const previousClosedMs = state.lastClosed !== incident ? (state.lastClosed?.closedMs ?? null) : null;
      incident.openedMs = previousClosedMs === null ? startMs : Math.max(startMs, previousClosedMs);
      incident.cause = failureCause(event);
      incident.causeVanished = undefined;
      incident.instances = new Set([instance, ...incident.instances]);
      // A first sign is before the start: the one it had if still so, or an earlier one standing now.
      const kept = incident.firstSign !== null && Date.parse(incident.firstSign.at) < incident.openedMs ? incident.firstSign : null;
      const standing = firstSignBefore(state.warnings, incident.openedMs);
      incident.firstSign = kept !== null && (standing === null || kept.at <= standing.at) ? kept : standing;
    }
    if (event.kind === 'instance.lost' && incident.causeVanished === instance) {
      incident.cause = failureCause(event);
      incident.causeVanished = undefined;
    }
    incident.instances.add(instance);
    // A vanishing counted here and then found still serving is one departure: its loss says why and holds it failing, no second failure.
    if (vanishedIn !== incident) incident.failures += 1;
    if (signal === 'point') state.vanished.set(instance, incident);
    incident.peakFailing = Math.max(incident.peakFailing, state.failing.size + (signal === 'point' ? 1 : 0));
    closeIfQuiet(state, atMs, 'departure');
  };
  return {
    add(events) {
      for (const event of events) addOne(event);
    },
    incidents: (start = 0, end = drafts.length) => drafts.slice(start, end).map(toIncident),
    count: () => drafts.length,
  };
}

/** Everything `service` depends on, directly or through others (breadth-first over `down`). */
export function dependenciesOf(graph: Adjacency, service: string): Set<string> {
  const reached = new Set<string>();
  let frontier = [service];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const dependency of graph.down.get(id) ?? []) {
        if (dependency === service || reached.has(dependency)) continue;
        reached.add(dependency);
        next.push(dependency);
      }
    }
    frontier = next;
  }
  return reached;
}

/**
 * How much later than a caller's incident a callee's may open and still be its upstream: a callee
 * is often caught later than its callers (a probe interval, a lease's TTL) while their calls to it
 * fail at once.
 */
export const UPSTREAM_LAG_MS = 30_000;

/**
 * Each incident with its `upstream`: the earliest incident of a service it depends on (by `graph`,
 * caller → callee) that was open when it opened, or opened at most `UPSTREAM_LAG_MS` after it
 * (unless that service depends on this one too: in a cycle, only the earlier one explains the
 * later). In a chain web → orders → inventory failing from the bottom, both web's and orders'
 * incidents name inventory's. Upstreams are looked for `among` (default: the incidents themselves),
 * so a page of incidents walks the map once per service on the page, not per service in the window.
 */
export function withUpstream(incidents: readonly Incident[], graph: Adjacency, among: readonly Incident[] = incidents): Incident[] {
  const index = upstreamIndex(graph);
  index.add(among);
  return incidents.map(index.finder());
}

/**
 * `withUpstream` in steps: the incidents looked among are indexed as they are added (per service, by
 * when they opened), then `finder` gives each incident its upstream with a binary search per
 * service it depends on, not a pass over that service's incidents (1,000 incidents of a 500-service
 * chain among 100,000 incidents: 27 s before).
 */
export interface UpstreamIndex {
  /** More incidents to look among. */
  add(among: readonly Incident[]): void;
  /** Gives one incident its `upstream` among every incident added (add nothing after). */
  finder(): (incident: Incident) => Incident;
}

export function upstreamIndex(graph: Adjacency): UpstreamIndex {
  interface Entry {
    incident: Incident;
    openedMs: number;
    closedMs: number;
    order: number;
  }
  const grouped = new Map<string, Entry[]>();
  let added = 0;
  const dependencies = new Map<string, Set<string>>();
  const dependenciesOfService = (service: string): Set<string> => {
    let reached = dependencies.get(service);
    if (!reached) {
      reached = dependenciesOf(graph, service);
      dependencies.set(service, reached);
    }
    return reached;
  };
  return {
    add(among) {
      for (const incident of among) {
        const entry = { incident, openedMs: Date.parse(incident.openedAt), closedMs: incident.closedAt === null ? Infinity : Date.parse(incident.closedAt), order: added };
        added += 1;
        const list = grouped.get(incident.service);
        if (list) list.push(entry);
        else grouped.set(incident.service, [entry]);
      }
    },
    finder() {
      /** Per service: its incidents in order of opening (ties in the order added), and the latest close among [0..i] at each i. */
      const byService = new Map<string, { entries: Entry[]; closedUpToMs: number[] }>();
      for (const [service, entries] of grouped) {
        if (entries.some((entry, i) => i > 0 && (entries[i - 1]?.openedMs ?? 0) > entry.openedMs)) entries.sort((a, b) => a.openedMs - b.openedMs || a.order - b.order);
        const closedUpToMs: number[] = [];
        let latest = -Infinity;
        for (const entry of entries) {
          latest = Math.max(latest, entry.closedMs);
          closedUpToMs.push(latest);
        }
        byService.set(service, { entries, closedUpToMs });
      }
      return (incident) => {
        const reached = dependenciesOfService(incident.service);
        const openedMs = Date.parse(incident.openedAt);
        let earliest: Entry | undefined;
        for (const service of reached) {
          const indexed = byService.get(service);
          if (!indexed) continue;
          // The first to open of those not closed before this one opened (`closedUpToMs` never falls)...
          let low = 0;
          let high = indexed.closedUpToMs.length;
          while (low < high) {
            const middle = (low + high) >>> 1;
            if ((indexed.closedUpToMs[middle] ?? Infinity) < openedMs) low = middle + 1;
            else high = middle;
          }
          const candidate = indexed.entries[low];
          if (candidate === undefined) continue;
          // ...is its upstream unless too late, or later and depending on it: then every later one is too.
          if (candidate.openedMs > openedMs + UPSTREAM_LAG_MS) continue;
          if (candidate.openedMs > openedMs && dependenciesOfService(service).has(incident.service)) continue;
          if (!earliest || candidate.openedMs < earliest.openedMs || (candidate.openedMs === earliest.openedMs && service < earliest.incident.service)) earliest = candidate;
        }
        const upstream = earliest?.incident;
        return { ...incident, upstream: upstream ? { service: upstream.service, id: upstream.id, openedAt: upstream.openedAt } : null };
      };
    },
  };
}

/**
 * Mean time to recovery per service: the mean `durationMs` of its closed incidents (null when none
 * closed). A null-prototype record, so a service named `__proto__` or `constructor` is an entry too.
 */
export function mttrByService(incidents: readonly Incident[]): Record<string, number | null> {
  const totals = new Map<string, { sum: number; closed: number }>();
  for (const incident of incidents) {
    const total = totals.get(incident.service) ?? { sum: 0, closed: 0 };
    if (incident.durationMs !== null) {
      total.sum += incident.durationMs;
      total.closed += 1;
    }
    totals.set(incident.service, total);
  }
  return fleetRecord([...totals].map(([service, total]) => [service, total.closed > 0 ? total.sum / total.closed : null]));
}

/** Newest first (by when they opened), for the incidents list. */
export function newestFirst(incidents: readonly Incident[]): Incident[] {
  // Each time parsed once, not twice per comparison (100,000 incidents: 52 ms before).
  const keyed = incidents.map((incident) => ({ incident, openedMs: Date.parse(incident.openedAt) }));
  keyed.sort((a, b) => b.openedMs - a.openedMs || b.incident.id.localeCompare(a.incident.id));
  return keyed.map((entry) => entry.incident);
}

const isoTime = z.iso.datetime({ offset: true });

export const INCIDENT_LOOKBACK_MS = 7 * 86_400_000;

/** `GET /api/v1/incidents` query. `since` defaults to 7 days before `until`, `until` to now. */
export const IncidentQuerySchema = z.object({
  service: z.string().min(1).max(256).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
export type IncidentQuery = z.infer<typeof IncidentQuerySchema>;

export interface IncidentList {
  incidents: Incident[];
  mttrMs: Record<string, number | null>;
}
