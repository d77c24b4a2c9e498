'use client';

import { useEffect, useState } from 'react';
import { serverNow } from './serverClock';

/**
 * Whether `deadline` (epoch ms) is still ahead: true until it passes, with one timer rather than a
 * ticking clock; false for null or a deadline already past when first rendered (no frame of true:
 * a services list row mounting with a flap long over showed "flapping" for a frame).
 */
export function useBefore(deadline: number | null): boolean {
  const [passed, setPassed] = useState<number | null>(() => (deadline !== null && !(deadline > serverNow()) ? deadline : null));
  useEffect(() => {
    if (deadline === null) return;
    const timer = setTimeout(() => setPassed(deadline), Math.max(0, deadline - serverNow()));
    return () => clearTimeout(timer);
  }, [deadline]);
  return deadline !== null && passed !== deadline;
}

/** `useBefore` for an ISO deadline (a summary's `flappingUntil`): false for none or one that does not parse. */
export function useBeforeIso(deadline: string | undefined): boolean {
  const ms = deadline === undefined ? NaN : Date.parse(deadline);
  return useBefore(Number.isFinite(ms) ? ms : null);
}

/**
 * The last of `deadlines` (epoch ms) to have passed, 0 before any: it moves on as each passes, with
 * one timer to the next, so what is built from `max(serverNow(), it)` (the map's flow: a node's label
 * says "flapping" until its deadline) is built again then, not every second.
 */
export function useLastPassed(deadlines: readonly number[]): number {
  const [passed, setPassed] = useState(0);
  useEffect(() => {
    // Past `passed` whatever the timer's rounding: the same deadline is not waited for twice.
    const now = Math.max(serverNow(), passed);
    const next = deadlines.reduce((soonest, deadline) => (deadline > now && deadline < soonest ? deadline : soonest), Infinity);
    if (next === Infinity) return;
    const timer = setTimeout(() => setPassed(next), next - now);
    return () => clearTimeout(timer);
  }, [deadlines, passed]);
  return passed;
}
