import type { Verdict } from '@/lib/model/status/combine';
import type { InstanceReader } from '../store/store';
import type { StatusPublisher } from './publisher';

/** How far back a service's instance count is remembered. */
export const MEMBERSHIP_WINDOW_MS = 60 * 60 * 1_000;
/** Counts are kept as one maximum per minute: 61 numbers a service at most. */
const SLOT_MS = 60 * 1_000;

export interface MembershipStatusOptions {
  /** Lost instances are listed here too: their loss already says why, so they count as present. */
  store: InstanceReader;
  publisher: Pick<StatusPublisher, 'membership'>;
  now?: () => number;
  /** How often membership is judged (ms). */
  intervalMs?: number;
}

interface Slot {
  start: number;
  max: number;
}

/** The membership verdict: fewer instances listed than the most within the last hour → warning. */
export function membershipVerdict(current: number, peak: number): Verdict | null {
  if (current >= peak || current === 0) return null;
  return { status: 'warning', cause: `${current} of ${peak} instances registered, ${peak} within the last hour`, kind: 'membership' };
}

/**
 * Remembers each service's instance count per minute over the last hour and tells the publisher,
 * for every instance of a service that has fewer now, the membership verdict (DESIGN §6). A service
 * with no instance left has nothing to carry the verdict: its loss (or its absence) says it.
 */
export function createMembershipStatus(options: MembershipStatusOptions) {
  const now = options.now ?? Date.now;
  const history = new Map<string, Slot[]>();

  const evaluate = (): void => {
    const at = now();
    const start = at - (at % SLOT_MS);
    const keysByService = new Map<string, string[]>();
    for (const instance of options.store.instances()) {
      const keys = keysByService.get(instance.service) ?? [];
      keys.push(instance.key);
      keysByService.set(instance.service, keys);
    }
    for (const service of new Set([...history.keys(), ...keysByService.keys()])) {
      const keys = keysByService.get(service) ?? [];
      const slots = (history.get(service) ?? []).filter((slot) => slot.start > at - MEMBERSHIP_WINDOW_MS);
      const last = slots[slots.length - 1];
      if (last?.start === start) last.max = Math.max(last.max, keys.length);
      else slots.push({ start, max: keys.length });
      const peak = Math.max(...slots.map((slot) => slot.max));
      if (peak === 0) history.delete(service);
      else history.set(service, slots);
      const verdict = membershipVerdict(keys.length, peak);
      for (const key of keys) options.publisher.membership(key, verdict);
    }
  };

  return { evaluate };
}

/** Runs membership judgement every `intervalMs` (default 5 s); returns the stop function. */
export function startMembershipStatus(options: MembershipStatusOptions): () => void {
  const membership = createMembershipStatus(options);
  membership.evaluate();
  const timer = setInterval(membership.evaluate, options.intervalMs ?? 5_000);
  timer.unref();
  return () => clearInterval(timer);
}
