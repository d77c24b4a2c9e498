'use client';

import { useCallback, useSyncExternalStore } from 'react';
import { localizeUtcClocks } from './formatTime';

const noChanges = (): (() => void) => () => undefined;

/** False while server rendering and hydrating, true in the browser after: what depends on the reader's timezone is only written there. */
export function useInBrowser(): boolean {
  return useSyncExternalStore(
    noChanges,
    () => true,
    () => false,
  );
}

/**
 * Writes the UTC clocks of a server-made text (a cause, an event's detail) in the reader's time, as
 * every other time on the page is; `near` is the time the text belongs to (default: now). The text
 * as the server wrote it until hydrated.
 */
export function useLocalTimes(): (text: string, near?: string | number) => string {
  const inBrowser = useInBrowser();
  return useCallback(
    (text: string, near?: string | number) => {
      if (!inBrowser) return text;
      const nearMs = near === undefined ? NaN : new Date(near).getTime();
      return localizeUtcClocks(text, Number.isFinite(nearMs) ? nearMs : Date.now());
    },
    [inBrowser],
  );
}
