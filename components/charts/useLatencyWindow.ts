'use client';

import { useCallback } from 'react';
import { useSearchParams } from 'next/navigation';
import { WindowSchema, type LatencyWindow } from '@/lib/model/latency';

export const DEFAULT_WINDOW: LatencyWindow = '15m';

export function parseWindow(value: string | null): LatencyWindow {
  const parsed = WindowSchema.safeParse(value);
  return parsed.success ? parsed.data : DEFAULT_WINDOW;
}

/**
 * The chart window lives in the URL (`?window=1h`), so reloads and shared links keep it. Written
 * with replaceState (no history entry per click, no server round trip); Next adopts the URL and
 * useSearchParams reports it back, which is the one source of truth here.
 */
export function useLatencyWindow(): [LatencyWindow, (window: LatencyWindow) => void] {
  const searchParams = useSearchParams();
  const window = parseWindow(searchParams.get('window'));
  const setWindow = useCallback((next: LatencyWindow) => {
    const { location, history } = globalThis.window;
    const params = new URLSearchParams(location.search);
    if (params.get('window') === next) return;
    params.set('window', next);
    history.replaceState(null, '', `${location.pathname}?${params.toString()}${location.hash}`);
  }, []);
  return [window, setWindow];
}
