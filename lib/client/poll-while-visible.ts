'use client';

const aborted = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

/**
 * Runs `poll` now, then `intervalMs` after each run ends, while the tab is visible: a hidden tab
 * stops, and showing it again polls at once. Each run gets a signal aborted when another starts or
 * the polling stops; a run aborted so is not followed by another, and its AbortError is not news.
 * `poll` handles its own failures (a failed run is followed by the next). Returns the stop function.
 */
export function pollWhileVisible(poll: (signal: AbortSignal) => Promise<void>, intervalMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;
  const run = async (): Promise<void> => {
    clearTimeout(timer);
    if (document.visibilityState === 'hidden') return;
    controller?.abort();
    const current = new AbortController();
    controller = current;
    try {
      await poll(current.signal);
    } catch (error) {
      if (!aborted(error)) throw error;
    }
    if (current.signal.aborted) return;
    timer = setTimeout(() => void run(), intervalMs);
  };
  const onVisibility = (): void => {
    if (document.visibilityState === 'visible') void run();
    else clearTimeout(timer);
  };
  void run();
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    clearTimeout(timer);
    controller?.abort();
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
