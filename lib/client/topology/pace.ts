'use client';

import { useEffect, useRef, useState } from 'react';

/**
 * How often the map takes in live changes: every update for small fleets, at most twice a second
 * from 300 nodes and once a second from 2,000 (re-deriving 5,000 services ten times a second
 * would leave no time to draw). A status change still shows within about a second.
 */
export function refreshIntervalFor(nodeCount: number): number {
  if (nodeCount < 300) return 0;
  return nodeCount < 2_000 ? 500 : 1_000;
}

/** While the user pans, zooms or drags, updates wait (up to this long), so every frame goes to moving. */
export const MAX_HOLD_MS = 2_000;

/**
 * `value`, refreshed at most every `intervalMs`, and held back while `busy()` says an interaction
 * is under way (never longer than MAX_HOLD_MS). Interval 0 passes every value through.
 */
export function usePacedValue<T>(value: T, intervalMs: number, busy: () => boolean): T {
  const [paced, setPaced] = useState(value);
  const latest = useRef(value);
  const last = useRef(0);
  const heldSince = useRef<number | null>(null);
  latest.current = value;

  useEffect(() => {
    if (intervalMs === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (): void => {
      const now = Date.now();
      const due = last.current + intervalMs - now;
      if (due > 0) {
        timer = setTimeout(attempt, due);
        return;
      }
      if (busy()) {
        heldSince.current ??= now;
        if (now - heldSince.current < MAX_HOLD_MS) {
          timer = setTimeout(attempt, 100);
          return;
        }
      }
      heldSince.current = null;
      last.current = now;
      setPaced(() => latest.current);
    };
    attempt();
    return () => clearTimeout(timer);
  }, [value, intervalMs, busy]);

  return intervalMs === 0 ? value : paced;
}
