import type { History } from './store';

const PRUNE_EVERY_MS = 3_600_000;

/** Deletes events past the retention now and every hour, when `shouldPrune` says this process is the one to (the replicas' leader). */
export function startHistoryPruning(history: Pick<History, 'pruneOlderThan' | 'retentionCutoff'>, options: { shouldPrune: () => boolean; log: (line: string) => void }): { stop(): void } {
  const prune = (): void => {
    if (!options.shouldPrune()) return;
    history.pruneOlderThan(history.retentionCutoff()).catch((error: unknown) => options.log(`history prune failed: ${String(error)}`));
  };
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  timer.unref();
  prune();
  return { stop: () => clearInterval(timer) };
}
