import type { RecordedCriticalChanges } from '@/lib/model/incidents';
import { isFailingStatus, type Instance, type Status } from '@/lib/model/instance';
import { combineStatus, TRAFFIC_WINDOW_SECONDS, type Verdict } from '@/lib/model/status/combine';
import { criticalChange, FLAP_MIN_CHANGES, FLAP_WINDOW_MS, withCriticalChange } from '@/lib/model/status/flapping';
import type { HealthChange } from '../health';
import type { HealthFacts, Store } from '../store/store';

const NOT_PROBED: HealthFacts = { status: 'unknown', statusCause: 'not probed yet' };

/** Instances whose critical changes are followed at once (a service and id not seen longest go first): bounds the publisher's memory. */
export const FLAP_FOLLOWED_MAX = 10_000;

/**
 * The longest an instance is held unknown for its calls (`heldForCalls`), from its first verdict held:
 * two OpenTelemetry export intervals (60 s by default), as a cumulative stream's first point after a
 * restart counts nothing and its calls are seen only at the second. That second point comes 60–120 s
 * after the start, the first verdict held at about 5 s (the cap then at 155 s): still failing, it is
 * critical at the first tick that sees it (the evaluator holds History's verdict,
 * `RECORDED_CRITICAL_BY_CALLS`), 35 s or more before the cap; clean, it is judged a window later, at
 * 150 s at the latest: 5 s of margin, so an export more than 5 s late passes at the cap all the same,
 * its cause saying its calls were too few (`flapping-restart.test.ts`, real metrics store, 60 s exports).
 */
export const HELD_FOR_CALLS_MAX_MS = 150_000;

/** Why an instance released from `heldForCalls` at HELD_FOR_CALLS_MAX_MS passes with its calls not judged, before its verdict's own cause. */
const NO_CALLS_AFTER_RESTART = `no calls reported within ${HELD_FOR_CALLS_MAX_MS / 1_000} s after the restart`;
const FEW_CALLS_AFTER_RESTART = `too few calls to judge within ${HELD_FOR_CALLS_MAX_MS / 1_000} s after the restart`;

/**
 * The verdict the traffic evaluator holds for an instance History left critical by its calls, while
 * they await judging (`heldForCalls`): its own rule for a verdict held then decides, as it would have
 * in the process that stopped. Calls still failing keep it critical on as few as one (too few to judge
 * it afresh are too few to clear it); clean ones, or too few failing to keep it, end the hold once
 * they covered a window (`callsJudged`). Never published: only weighed.
 */
const RECORDED_CRITICAL_BY_CALLS: Verdict = { status: 'critical', cause: 'critical by its error rate when Switchyard stopped', kind: 'error_rate' };

/** A recorded change and one of this run this close, the same way, are one (`withoutRecordedAgain`): a traffic tick's interval. */
const SAME_CHANGE_MS = 5_000;

/** What flapping needs of an instance, kept by service and id so it outlives a loss and a return under the same id. */
interface CriticalChanges {
  /** Change times into or out of critical (ms, oldest first, within the window). */
  changes: number[];
  /** Critical, or warning since a critical without a recovery since (`criticalChange`). */
  down: boolean;
  /**
   * Read from History at start-up, no verdict given here since: `down` is what History's rows left
   * the id, and the first verdict of a key present then is weighed against it, as History weighs it.
   */
  recorded?: true;
}

/** An instance History left critical by its calls, until this run has judged them (`heldForCalls`). */
interface AwaitingCalls {
  /** Its first verdict held (ms): the hold ends HELD_FOR_CALLS_MAX_MS after it whatever its calls. */
  heldFromMs?: number;
  /** Its keys held (two live keys of one id: registered again under a new lease), each published at the release. */
  heldKeys: Set<string>;
  /**
   * The first of the traffic evaluator's ticks, unbroken since, that saw calls of it in the last
   * half of its window (ms, `callsLately`): judged a full window after it. A tick without resets it.
   */
  callsFromMs?: number;
  /** Some tick in this run saw calls of it lately: released unjudged, it says they were too few, not none. */
  sawCalls?: true;
}

/** What a recovery says when the signal that ended did not say why. */
const SIGNAL_ENDED: Record<Verdict['kind'], string> = {
  probe: 'probe OK',
  error_rate: 'error rate under its threshold again',
  latency: 'latency back near its usual',
  membership: 'no longer fewer instances than within the last hour',
  lost: 'probe OK',
};

export interface StatusPublisherOptions {
  store: Store;
  /** Every change of an instance's combined status, with the cause that decided it. */
  onChange?: (change: HealthChange) => void;
  now?: () => Date;
  /**
   * What History recorded of each id's flapping (`service\0id`, status/recorded-flaps.ts), read as
   * this publisher starts: its counts go on from there rather than from nothing. Taken whenever it
   * comes; statuses never wait for it (a database down at start-up leaves the counts to this run).
   */
  recordedFlaps?: Promise<ReadonlyMap<string, RecordedCriticalChanges>>;
  /**
   * What History's rows before this start left each of `instances` (status/recorded-flaps.ts
   * `readRecordedDown`): asked at the registry's first listing for those present then that
   * `recordedFlaps` has no row of, so their first verdict is weighed as History weighs it. Answered
   * in parts, each taken as it comes.
   */
  recordedDown?: (instances: readonly { service: string; instance: string }[]) => AsyncIterable<ReadonlyMap<string, RecordedCriticalChanges>>;
  log?: (line: string) => void;
}

/** The one writer of instance status (createStatusPublisher). */
export interface StatusPublisher {
  /** The health tracker's facts for an instance (`change` when the probe status itself changed). */
  probe(key: string, facts: HealthFacts, change: HealthChange | undefined): void;
  /** The traffic verdict an instance holds now (null: none); History's critical while its calls await judging after a restart. */
  trafficVerdict(key: string): Verdict | null;
  /**
   * The traffic's verdict for an instance (null: it says nothing); published only when it changes.
   * `ended`: with null, what the calls say now ("error rate 0 % over the last 10 s …"), the cause of
   * a recovery that this verdict's end brings. `callsLately`: whether it saw calls of the instance in
   * the last half of its window (by default, whether it gave a verdict).
   */
  traffic(key: string, verdict: Verdict | null, ended?: string, callsLately?: boolean): void;
  /** Its service's membership verdict (fewer instances than within the last hour; null: it says nothing). */
  membership(key: string, verdict: Verdict | null): void;
  /**
   * A registry listing is in the store, nothing after it yet (its watch's replay included). At the
   * first, the instances in the store were present at start-up and only their first verdict is no
   * change; one registered later — the replay's keys too, which History has registration rows for —
   * starts from nothing, its first critical a change into it. Later listings change nothing.
   */
  registryListed(): void;
  /** Stops following the store's removals. */
  stop(): void;
}

/**
 * The one writer of instance status (DESIGN §6): combines what the probes say (from the health
 * tracker) with what reported calls say (from the traffic evaluator) and what its service's
 * membership says (fewer instances than within the last hour) and writes the result to the
 * store, so every view and `health.changed` row shows the same status and cause.
 */
export function createStatusPublisher(options: StatusPublisherOptions): StatusPublisher {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const probes = new Map<string, HealthFacts>();
  const traffic = new Map<string, Verdict>();
  const membership = new Map<string, Verdict>();
  /** `service\0id` → its critical changes: a crash loop removes the instance's row at each loss (lost/tracker.ts). */
  const criticalChanges = new Map<string, CriticalChanges>();
  /**
   * `service\0id` → whether History's rows before the window left it down (`recordedDown`), for an id
   * present at start-up with no row in the window, until its first verdict, which is weighed against
   * it. Apart from `criticalChanges`: a steady fleet's answers are most of them, and would fill it past
   * FLAP_FOLLOWED_MAX and push out the crash loops read from the window. Bounded by the fleet present
   * at start-up, and emptied once every key of it has had its verdict or gone.
   */
  const downBeforeWindow = new Map<string, boolean>();
  /** `service\0id` → an instance History left critical by its calls, its first verdict not given yet (`heldForCalls`). */
  const awaitingCalls = new Map<string, AwaitingCalls>();
  /** Until the registry's first listing: keys given a verdict (a status other than unknown) in this process. */
  const judged = new Set<string>();
  /** From the registry's first listing: keys present then and given no verdict since. */
  let presentAtStart: Set<string> | undefined;
  /**
   * While `recordedDown` is asked: the first verdict of each id present at start-up with no record
   * (taken as no change then), to weigh once the answer comes.
   */
  let firstVerdicts: Map<string, { key: string; to: Status; atMs: number }> | undefined;
  /** Stopped: History's answers still to come are dropped, and no more asked. */
  let stopped = false;
  /** A key present at start-up had its first verdict or went: once none is left, no first verdict is to weigh. */
  const doneAtStart = (key: string): void => {
    if (presentAtStart?.delete(key) === true && presentAtStart.size === 0) downBeforeWindow.clear();
  };
  /** Follows an id's changes as its newest: the one not seen longest goes past FLAP_FOLLOWED_MAX. */
  const follow = (identity: string, followed: CriticalChanges): void => {
    criticalChanges.delete(identity);
    criticalChanges.set(identity, followed);
    if (criticalChanges.size > FLAP_FOLLOWED_MAX) criticalChanges.delete(criticalChanges.keys().next().value as string);
  };
  /** Whether this verdict is the first of an instance present at start-up: then it is no change (a restart during an outage went nowhere). */
  const firstVerdictAtStart = (key: string): boolean => (presentAtStart ? presentAtStart.has(key) : !judged.has(key));
  /** Live keys published here → their `service\0id`, and how many live keys each of those has. */
  const identityOfKey = new Map<string, string>();
  const liveKeyCount = new Map<string, number>();
  const uncount = (identity: string): void => {
    const left = (liveKeyCount.get(identity) ?? 1) - 1;
    if (left > 0) liveKeyCount.set(identity, left);
    else liveKeyCount.delete(identity);
  };
  const noteLiveKey = (key: string, identity: string): void => {
    const before = identityOfKey.get(key);
    if (before === identity) return;
    if (before !== undefined) uncount(before);
    identityOfKey.set(key, identity);
    liveKeyCount.set(identity, (liveKeyCount.get(identity) ?? 0) + 1);
  };
  const forgetLiveKey = (key: string): void => {
    const identity = identityOfKey.get(key);
    if (identity === undefined) return;
    identityOfKey.delete(key);
    uncount(identity);
  };

  /**
   * The changes flapping counts, with this one; the times an instance carries (`Instance.criticalChangesMs`):
   * those within the window, once enough to flap.
   */
  const followChanges = (instance: Instance, to: Status, whenMs: number): number[] | undefined => {
    const identity = `${instance.service}\0${instance.id}`;
    noteLiveKey(instance.key, identity);
    const followed = criticalChanges.get(identity);
    // None followed here: start from what the instance carries (a loss adopted from a replica, a restart, one evicted past FLAP_FOLLOWED_MAX).
    const atStart = instance.status === 'unknown' && firstVerdictAtStart(instance.key);
    const downBefore = atStart && followed === undefined ? downBeforeWindow.get(identity) : undefined;
    let { changes, down } = followed ?? { changes: instance.criticalChangesMs ?? [], down: downBefore ?? instance.status === 'critical' };
    // History's rows say whether it was down when the last run stopped: its first verdict here is weighed against that.
    const againstRecord = atStart && (followed?.recorded === true || downBefore !== undefined);
    const firstVerdict = followed === undefined && downBefore === undefined && atStart;
    if (firstVerdict && to !== 'unknown' && firstVerdicts !== undefined && !firstVerdicts.has(identity)) firstVerdicts.set(identity, { key: instance.key, to, atMs: whenMs });
    if (to !== 'unknown') {
      downBeforeWindow.delete(identity);
      if (presentAtStart) doneAtStart(instance.key);
      else judged.add(instance.key);
      awaitingCalls.delete(identity);
    }
    // Critical by a loss (its stand-in, then held until probed): a change this publisher did not make, counted from when it began.
    if (instance.status === 'critical' && instance.statusCauseKind === 'lost' && !down) {
      changes = withCriticalChange(changes, Date.parse(instance.statusSince ?? '') || whenMs);
      down = true;
    }
    // Counted at a change of status, as History counts its rows, and by the id: another live key of it
    // (registered again before its old lease ended) brings the same changes a second later, no more.
    // A key with no verdict is a registration, which starts not down (History: registered, no loss).
    if (to !== instance.status) {
      const change = criticalChange(againstRecord ? down : down && instance.status !== 'unknown', to);
      if (change.counts && !firstVerdict) changes = withCriticalChange(changes, whenMs);
      down = change.down;
    }
    // Pruned at every write (each probe), so an update long after the flap carries none; a change stamped after `when` (a traffic verdict's, before a probe's) stays.
    const nowMs = Math.max(now().getTime(), whenMs);
    changes = changes.filter((changeMs) => nowMs - changeMs < FLAP_WINDOW_MS);
    criticalChanges.delete(identity);
    // Kept while another live key of the id exists: rebuilt from that key's own status (one stuck critical,
    // a dead duplicate), the id would be down again and this key's next failure no change, as History counts it.
    const stillRecorded = followed?.recorded === true && to === 'unknown';
    // Still no verdict (held for its calls): its first is weighed against downBeforeWindow, which keeps it.
    const stillBefore = downBefore !== undefined && to === 'unknown';
    if (!stillBefore && (changes.length > 0 || down || stillRecorded || (liveKeyCount.get(identity) ?? 0) > 1)) follow(identity, { changes, down, ...(stillRecorded ? { recorded: true as const } : {}) });
    return changes.length >= FLAP_MIN_CHANGES ? changes : undefined;
  };

  /**
   * A restart's first verdict from the probes alone is no recovery of an instance History left
   * critical by its calls (its error rate: latency makes one warning at most; `downByCalls`), which
   * this process has not judged yet (the last 30 s of calls are not kept, and an OpenTelemetry
   * stream's first point after a restart counts nothing). Passing then would be a recovery and, once its calls are seen, a new failure: two
   * changes per restart of a steady failure, and a crash-looping Switchyard made every such instance
   * flap. So it stays unknown until the traffic evaluator has seen its calls cover a full window, or
   * gives a verdict on them (weighed against History's, RECORDED_CRITICAL_BY_CALLS), and at most
   * HELD_FOR_CALLS_MAX_MS (`callsJudged`; its cause says so). One the probes made critical passes at
   * once: its probes are what judged it.
   */
  const heldForCalls = (instance: Instance, verdict: Verdict): Verdict => {
    if (verdict.status !== 'passing' || instance.status !== 'unknown' || !firstVerdictAtStart(instance.key)) return verdict;
    const awaiting = awaitingCalls.get(`${instance.service}\0${instance.id}`);
    if (awaiting === undefined) return verdict;
    awaiting.heldFromMs ??= now().getTime();
    awaiting.heldKeys.add(instance.key);
    return { status: 'unknown', cause: `${verdict.cause}; critical by its calls when Switchyard stopped, so not passing until they are judged again, at most ${HELD_FOR_CALLS_MAX_MS / 1_000} s`, kind: verdict.kind };
  };
  /**
   * The evaluator's tick for `key` (`callsLately`: it saw calls of it in its window's last half);
   * whether it ended a hold (`heldForCalls`), and at HELD_FOR_CALLS_MAX_MS without a full window of
   * calls, why it passes unjudged. Judged once calls covered a window: every tick for
   * TRAFFIC_WINDOW_SECONDS saw them lately, so no half window went without (steady bursts 15 s apart
   * do; the last 10 s alone held them 1 tick in 3, and such traffic waited for the cap). Calls only
   * at its start (one batch, then none) left a window of next to nothing, judged clean.
   * Released, every key of the id held goes: the id's calls are one (the evaluator judges by id).
   */
  const callsJudged = (key: string, callsLately: boolean): { keys: ReadonlySet<string>; unjudged?: string } | undefined => {
    const identity = identityOfKey.get(key);
    const awaiting = identity === undefined ? undefined : awaitingCalls.get(identity);
    if (identity === undefined || awaiting === undefined) return undefined;
    const nowMs = now().getTime();
    if (callsLately) {
      awaiting.callsFromMs ??= nowMs;
      awaiting.sawCalls = true;
    } else delete awaiting.callsFromMs;
    const judgedFully = awaiting.callsFromMs !== undefined && nowMs - awaiting.callsFromMs >= TRAFFIC_WINDOW_SECONDS * 1_000;
    const heldLongest = awaiting.heldFromMs !== undefined && nowMs - awaiting.heldFromMs >= HELD_FOR_CALLS_MAX_MS;
    if (!judgedFully && !heldLongest) return undefined;
    awaitingCalls.delete(identity);
    if (judgedFully) return { keys: awaiting.heldKeys };
    return { keys: awaiting.heldKeys, unjudged: awaiting.sawCalls ? FEW_CALLS_AFTER_RESTART : NO_CALLS_AFTER_RESTART };
  };

  /**
   * `recovered`: why a signal that held the instance down just ended — the cause of the change when that makes it pass.
   * `releasedUnjudged`: why a hold that just ended did not judge its calls (`callsJudged`), said before the cause when that makes it pass.
   */
  const publish = (key: string, detail: string | undefined, at: string | undefined, recovered?: string, firstFailedAt?: string, releasedUnjudged?: string): void => {
    const instance = store.instance(key);
    if (!instance || instance.lost) return;
    // Not the instance's current status: that already holds the traffic verdict, which would then outlive it.
    const facts = probes.get(key) ?? NOT_PROBED;
    // Back after its loss (lost/tracker.ts): critical until the probes reach a verdict, so a first
    // refused connection or a membership verdict is no "critical → unknown" recovery.
    const base: Verdict =
      facts.status === 'unknown' && instance.statusCauseKind === 'lost'
        ? { status: instance.status, cause: instance.statusCause ?? instance.status, kind: 'lost' }
        : { status: facts.status, cause: facts.statusCause ?? facts.status, kind: 'probe' };
    const combined = heldForCalls(instance, combineStatus(combineStatus(base, traffic.get(key) ?? null), membership.get(key) ?? null));
    const previous: Status = instance.status;
    const changed = combined.status !== previous;
    // "probe OK" alone said its calls were judged, which they never were.
    const final = releasedUnjudged !== undefined && changed && combined.status === 'passing' ? { ...combined, cause: `${releasedUnjudged}; ${combined.cause}` } : combined;
    const when = at ?? now().toISOString();
    const statusSince = changed ? when : (instance.statusSince ?? facts.statusSince ?? when);
    const passedAt = final.status === 'passing' && (changed || instance.passedAt === undefined) ? when : instance.passedAt;
    const failingSince = isFailingStatus(final.status) ? (isFailingStatus(previous) ? (instance.failingSince ?? statusSince) : when) : undefined;
    // Passing again after it failed, or after it passed before in this run (also an instance back
    // after its loss: it keeps its predecessor's passedAt). A first pass from `unknown` is no
    // recovery; one from critical is, even never having passed: its incident ends there too.
    const recoveredAt = final.status === 'passing' && changed && (instance.passedAt !== undefined || isFailingStatus(previous)) ? when : instance.recoveredAt;
    const changes = followChanges(instance, final.status, Date.parse(when));
    store.setHealth(key, {
      ...facts,
      status: final.status,
      statusCause: final.cause,
      statusCauseKind: final.kind,
      statusSince,
      ...(failingSince ? { failingSince } : {}),
      ...(recoveredAt ? { recoveredAt } : {}),
      ...(changes ? { criticalChangesMs: changes } : {}),
      ...(passedAt ? { passedAt } : {}),
    });
    if (changed) {
      // A recovery names what recovered: "critical → passing: probe OK" for an instance that failed on its error rate told nothing.
      const cause = recovered !== undefined && final.status === 'passing' ? recovered : final.cause;
      // When the probes' streak began, only when the probes made it critical (incidents open there).
      const probesFailingFrom = final.kind === 'probe' && final.status === 'critical' ? firstFailedAt : undefined;
      options.onChange?.({ key, service: instance.service, instance: instance.id, from: previous, to: final.status, cause, at: when, ...(detail ? { detail } : {}), ...(probesFailingFrom !== undefined ? { firstFailedAt: probesFailingFrom } : {}) });
    }
  };

  /** Whether it published (the verdict changed). */
  const setSignal = (signal: Map<string, Verdict>, key: string, verdict: Verdict | null, ended?: string): boolean => {
    const previous = signal.get(key);
    if (previous?.status === verdict?.status && previous?.cause === verdict?.cause && previous?.kind === verdict?.kind) return false;
    if (verdict) signal.set(key, verdict);
    else signal.delete(key);
    publish(key, undefined, undefined, verdict === null && previous !== undefined ? (ended ?? SIGNAL_ENDED[previous.kind]) : undefined);
    return true;
  };

  /**
   * This run's changes without the first one after History's newest when that is the same change
   * stamped twice: the same way (both into or both out of critical) within SAME_CHANGE_MS. A traffic
   * verdict is stamped by each replica's own tick (every 5 s, its own clock), so the leader's row just
   * before this start and this run's change just after it are one failure.
   */
  const withoutRecordedAgain = (followed: CriticalChanges, recordedChanges: readonly number[], recordedDown: boolean): number[] => {
    const newestRecorded = recordedChanges[recordedChanges.length - 1];
    const next = newestRecorded === undefined ? -1 : followed.changes.findIndex((changeMs) => changeMs > newestRecorded);
    const nextMs = followed.changes[next];
    if (newestRecorded === undefined || nextMs === undefined || nextMs - newestRecorded >= SAME_CHANGE_MS) return followed.changes;
    // Changes alternate into and out of critical: the newest recorded went into it if History left the id down, and this run's by parity from its own down.
    const nextIntoCritical = followed.down === ((followed.changes.length - 1 - next) % 2 === 0);
    return nextIntoCritical === recordedDown ? followed.changes.filter((_, index) => index !== next) : followed.changes;
  };

  /**
   * History's counts, once read: an id followed here already keeps its own `down` (newer than the
   * rows) and gains their times (the same change at the same ms is one); one not followed starts from
   * them. Instances already written carry the count now rather than at their next probe.
   */
  const takeRecorded = (recorded: ReadonlyMap<string, RecordedCriticalChanges>): void => {
    if (stopped) return;
    for (const [identity, { changes, down, downByCalls }] of recorded) {
      const followed = criticalChanges.get(identity);
      if (followed) criticalChanges.set(identity, { ...followed, changes: changes.reduce(withCriticalChange, withoutRecordedAgain(followed, changes, down)) });
      // Published here already, with no record kept: not down by this run's verdicts.
      else if (liveKeyCount.has(identity)) criticalChanges.set(identity, { changes, down: false });
      // Never past the cap: what this run follows stays.
      else if (criticalChanges.size < FLAP_FOLLOWED_MAX) {
        criticalChanges.set(identity, { changes, down, recorded: true });
        if (downByCalls === true) awaitingCalls.set(identity, { heldKeys: new Set() });
      }
    }
    for (const [key, identity] of identityOfKey) if (recorded.has(identity)) publish(key, undefined, undefined);
  };
  options.recordedFlaps?.then(takeRecorded, (error: unknown) => {
    (options.log ?? console.error)(`flapping: History's recent status changes could not be read (${error instanceof Error ? error.message : String(error)}); counts start from this run's changes`);
  });

  /**
   * What History's rows before the window left ids present at start-up that it had no row of
   * (`recordedDown`, one part of them): one with no verdict yet has its first weighed against it
   * (`downBeforeWindow`); one whose first verdict was given meanwhile (taken as no change) gains it
   * as a change where History counts one.
   */
  const takeRecordedDown = (recorded: ReadonlyMap<string, RecordedCriticalChanges>): void => {
    const gained = new Set<string>();
    for (const [identity, { down, downByCalls }] of recorded) {
      const first = firstVerdicts?.get(identity);
      if (first === undefined) {
        if (criticalChanges.has(identity) || presentAtStart === undefined || presentAtStart.size === 0) continue;
        downBeforeWindow.set(identity, down);
        if (downByCalls === true) awaitingCalls.set(identity, { heldKeys: new Set() });
        continue;
      }
      firstVerdicts?.delete(identity);
      if (!criticalChange(down, first.to).counts) continue;
      // Not followed since (not down, no change), or pushed out past FLAP_FOLLOWED_MAX: from what the instance carries and is, as followChanges starts.
      const instance = store.instance(first.key);
      const since = criticalChanges.get(identity) ?? { changes: instance?.criticalChangesMs ?? [], down: instance?.status === 'critical' };
      follow(identity, { ...since, changes: withCriticalChange(since.changes, first.atMs) });
      gained.add(identity);
    }
    if (gained.size > 0) for (const [key, identity] of identityOfKey) if (gained.has(identity)) publish(key, undefined, undefined);
  };
  /** At the registry's first listing: asks `recordedDown` of the ids present that `recordedFlaps` had no row of, and takes each part of the answer as it comes. */
  const askRecordedDown = (present: ReadonlyMap<string, { service: string; instance: string }>): void => {
    const { recordedFlaps, recordedDown } = options;
    if (recordedFlaps === undefined || recordedDown === undefined || present.size === 0) return;
    firstVerdicts = new Map();
    const takeEach = async (recorded: ReadonlyMap<string, RecordedCriticalChanges>): Promise<void> => {
      const unread = [...present].filter(([identity]) => !recorded.has(identity)).map(([, instance]) => instance);
      if (unread.length === 0 || stopped) return;
      try {
        for await (const part of recordedDown(unread)) {
          if (stopped) break;
          takeRecordedDown(part);
        }
      } catch (error) {
        (options.log ?? console.error)(`flapping: History's status rows before the last ${FLAP_WINDOW_MS / 60_000} min could not be read (${error instanceof Error ? error.message : String(error)}); the first verdict of an instance with none since counts as no change`);
      }
    };
    recordedFlaps
      .then(
        takeEach,
        // Logged where it is taken: the counts start from this run.
        () => undefined,
      )
      .finally(() => {
        firstVerdicts = undefined;
      });
  };

  const unsubscribe = store.subscribe((delta) => {
    for (const change of delta.changes) {
      if (change.op !== 'remove') continue;
      probes.delete(change.key);
      traffic.delete(change.key);
      membership.delete(change.key);
      judged.delete(change.key);
      doneAtStart(change.key);
      forgetLiveKey(change.key);
    }
  });

  return {
    probe(key: string, facts: HealthFacts, change: HealthChange | undefined): void {
      probes.set(key, facts);
      publish(key, change?.detail, change?.at, undefined, change?.firstFailedAt);
    },
    trafficVerdict(key: string): Verdict | null {
      const found = traffic.get(key);
      if (found !== undefined || awaitingCalls.size === 0) return found ?? null;
      const identity = identityOfKey.get(key);
      return identity !== undefined && awaitingCalls.has(identity) ? RECORDED_CRITICAL_BY_CALLS : null;
    },
    traffic(key: string, verdict: Verdict | null, ended?: string, callsLately = verdict !== null): void {
      const released = callsJudged(key, callsLately);
      const published = setSignal(traffic, key, verdict, ended);
      // Judged, the release is the end of History's verdict: it says what the calls say now ("error rate 0 % …").
      const recovered = released !== undefined && released.unjudged === undefined ? ended : undefined;
      // Another key of the id waited for this tick as well: left to its own next probe, it said "probe OK" however the hold ended.
      for (const heldKey of released?.keys ?? []) if (heldKey !== key || !published) publish(heldKey, undefined, undefined, recovered, undefined, released?.unjudged);
    },
    membership(key: string, verdict: Verdict | null): void {
      setSignal(membership, key, verdict);
    },
    registryListed(): void {
      if (presentAtStart) return;
      presentAtStart = new Set();
      const present = new Map<string, { service: string; instance: string }>();
      for (const instance of store.instances()) {
        if (instance.lost || judged.has(instance.key)) continue;
        presentAtStart.add(instance.key);
        present.set(`${instance.service}\0${instance.id}`, { service: instance.service, instance: instance.id });
      }
      judged.clear();
      askRecordedDown(present);
    },
    stop(): void {
      stopped = true;
      unsubscribe();
    },
  };
}
