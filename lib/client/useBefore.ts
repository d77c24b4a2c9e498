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

/** The longest a timer waits: a longer delay (a skewed replica's deadline weeks ahead) fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `onPassed` with the server's now once the soonest of `deadlines` (epoch ms, server clock)
 * later than `after` passes, with one timer (re-armed when that deadline is beyond what one timer
 * waits); returns what cancels it. The server's now rather than the deadline: deadlines that passed
 * together (a timer held in a background tab) then cause one call, and a far deadline never moves
 * `after` past deadlines still ahead.
 */
export function watchDeadlines(deadlines: readonly number[], after: number, onPassed: (passed: number) => void): () => void {
  const now = Math.max(serverNow(), after);
  const next = deadlines.reduce((soonest, deadline) => (deadline > now && deadline < soonest ? deadline : soonest), Infinity);
  if (next === Infinity) return () => undefined;
  let timer: ReturnType<typeof setTimeout>;
  const wake = () => {
    const at = serverNow();
    // Past it whatever the timer's rounding; short of it after a capped wait: wait again.
    if (at >= next) onPassed(Math.max(at, next));
    else timer = setTimeout(wake, Math.min(next - at, MAX_TIMER_MS));
  };
  timer = setTimeout(wake, Math.min(next - now, MAX_TIMER_MS));
  return () => clearTimeout(timer);
}

/**
 * The last of `deadlines` (epoch ms) to have passed, 0 before any: it moves on as each passes, with
 * one timer to the next, so what is built from `max(serverNow(), it)` (the map's flow: a node's label
 * says "flapping" until its deadline) is built again then, not every second.
 */
export function useLastPassed(deadlines: readonly number[]): number {
  const [passed, setPassed] = useState(0);
  useEffect(() => watchDeadlines(deadlines, passed, setPassed), [deadlines, passed]);
  return passed;
}
