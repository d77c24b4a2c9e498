import type { Verdict } from '@/lib/model/status/combine';
import type { LiveFeed } from '../store/store';
import type { StatusPublisher } from './publisher';

/** How far back a service's instance count is remembered. */
export const MEMBERSHIP_WINDOW_MS = 60 * 60 * 1_000;
/** Counts are kept as one maximum per minute: 61 numbers a service at most. */
const SLOT_MS = 60 * 1_000;

export interface MembershipStatusOptions {
  /**
   * Instance counts from the summaries, which count lost instances (their stand-ins): their loss
   * already says why, so they count as present; departures still being checked do not. A service's instances when its verdict is handed
   * out; the deltas, for instances that left a service.
   */
  store: Pick<LiveFeed, 'summarySnapshot' | 'serviceSnapshot' | 'subscribe'>;
  publisher: Pick<StatusPublisher, 'membership'>;
  now?: () => number;
  /** How often membership is judged (ms). */
  intervalMs?: number;
}

interface Slot {
  start: number;
  max: number;
}

interface ServiceMembership {
  /** Oldest first, within the window. */
  slots: Slot[];
  /** The most over `slots`. */
  peak: number;
  /** Instances at the last pass. */
  count: number;
  /** What its instances were told at the last pass. */
  verdict: Verdict | null;
}

/** The membership verdict: fewer instances listed than the most within the last hour → warning. */
export function membershipVerdict(current: number, peak: number): Verdict | null {
  if (current >= peak || current === 0) return null;
  return { status: 'warning', cause: `${current} of ${peak} instances registered, ${peak} within the last hour`, kind: 'membership' };
}

/** The most a service listed in any remembered minute (0 with none). */
const peakOf = (slots: readonly Slot[]): number => Math.max(0, ...slots.map((slot) => slot.max));

const sameVerdict = (a: Verdict | null, b: Verdict | null): boolean => a?.status === b?.status && a?.cause === b?.cause && a?.kind === b?.kind;

/** A service's membership judged every pass (createMembershipStatus). */
export interface MembershipStatus {
  /** Counts every service's instances now and tells instances whose verdict moved. */
  evaluate(): void;
  /**
   * An instance of `service` left on purpose (deregistered, drained, shut down while its probes
   * passed, or its loss dismissed): the service's remembered counts drop by one, so a rollout that
   * started a new instance before stopping an old one, or a scale-down, leaves nobody short.
   */
  departed(service: string): void;
  stop(): void;
}

/**
 * Remembers each service's instance count per minute over the last hour and tells the publisher,
 * for every instance of a service that has fewer now, the membership verdict (DESIGN §6). A service
 * with no instance left has nothing to carry the verdict: its loss (or its absence) says it.
 * Only capacity that went unplanned counts: a departure on purpose lowers every remembered minute
 * by one (`departed`), so what stays short is a loss — a lost instance counts as present until its
 * retention ends, then the service is short of its count for the rest of the hour.
 *
 * A pass reads every service's count from the summaries (O(services)) but tells instances only
 * where something moved (O(instances of those services)): the services whose verdict changed, and
 * those under a verdict whose instance set changed (an instance left, or the count moved: a new
 * instance must get the verdict). Instances already told keep it: the publisher holds each
 * instance's verdict until it changes or the instance goes.
 */
export function createMembershipStatus(options: MembershipStatusOptions): MembershipStatus {
  const now = options.now ?? Date.now;
  const services = new Map<string, ServiceMembership>();
  /** Services an instance left since the last pass (a removal, or its key re-registered under another service). */
  const left = new Set<string>();
  /** Instance key → its service, for every instance now told a (non-null) verdict. */
  const told = new Map<string, string>();
  /** Instances told a verdict by one service that have since moved to another: they get the new one's. */
  const moved = new Map<string, string>();

  const unsubscribe = options.store.subscribe((delta) => {
    for (const change of delta.changes) {
      if (change.op === 'remove') {
        left.add(change.service);
        told.delete(change.key);
        moved.delete(change.key);
        continue;
      }
      const was = told.get(change.instance.key);
      if (was === undefined || was === change.instance.service) continue;
      left.add(was);
      moved.set(change.instance.key, change.instance.service);
    }
  });

  const tell = (key: string, service: string, verdict: Verdict | null): void => {
    options.publisher.membership(key, verdict);
    if (verdict) told.set(key, service);
    else told.delete(key);
  };

  /** Drops its minutes older than the window, counts `count` in the current one and keeps `peak` (recounted only when a minute expires). */
  const remember = (entry: ServiceMembership, count: number, at: number): void => {
    const start = at - (at % SLOT_MS);
    let expired = 0;
    while (expired < entry.slots.length && (entry.slots[expired]?.start ?? 0) <= at - MEMBERSHIP_WINDOW_MS) expired += 1;
    if (expired > 0) entry.slots.splice(0, expired);
    const last = entry.slots[entry.slots.length - 1];
    if (last?.start === start) last.max = Math.max(last.max, count);
    else entry.slots.push({ start, max: count });
    entry.peak = expired > 0 ? peakOf(entry.slots) : Math.max(entry.peak, count);
  };

  const evaluate = (): void => {
    const at = now();
    // Brings the summaries (and the deltas behind `left` and `moved`) up to date first.
    const counts = new Map<string, number>();
    // Departures still being checked are no capacity: counted, a whole service stopped and started again read short.
    for (const summary of options.store.summarySnapshot().services) counts.set(summary.name, summary.instances - (summary.checking ?? 0));
    for (const name of counts.keys()) if (!services.has(name)) services.set(name, { slots: [], peak: 0, count: 0, verdict: null });
    for (const [name, entry] of services) {
      const count = counts.get(name) ?? 0;
      remember(entry, count, at);
      const verdict = membershipVerdict(count, entry.peak);
      const setChanged = count !== entry.count || left.has(name);
      if (!sameVerdict(entry.verdict, verdict) || (verdict !== null && setChanged)) {
        for (const instance of options.store.serviceSnapshot(name).instances) tell(instance.key, name, verdict);
      }
      entry.count = count;
      entry.verdict = verdict;
      if (entry.peak === 0) services.delete(name);
    }
    for (const [key, service] of moved) tell(key, service, services.get(service)?.verdict ?? null);
    moved.clear();
    left.clear();
  };

  const departed = (service: string): void => {
    const entry = services.get(service);
    if (!entry) return;
    for (const slot of entry.slots) slot.max = Math.max(0, slot.max - 1);
    entry.peak = peakOf(entry.slots);
  };

  return { evaluate, departed, stop: unsubscribe };
}

/** Runs membership judgement every `intervalMs` (default 5 s). */
export function startMembershipStatus(options: MembershipStatusOptions): MembershipStatus {
  const membership = createMembershipStatus(options);
  membership.evaluate();
  const timer = setInterval(membership.evaluate, options.intervalMs ?? 5_000);
  timer.unref();
  return {
    ...membership,
    stop() {
      clearInterval(timer);
      membership.stop();
    },
  };
}
