import type { Change, Delta, RegistryStatus } from '@/lib/model/live';
import { systemClock, type Clock } from './clock';
import { createThrottle } from './throttle';

export interface DeltaLogOptions {
  /** Minimum spacing between two deltas; changes inside one window travel together. */
  coalesceMs: number;
  /** How many past deltas are kept so a reconnecting browser can catch up without a snapshot. */
  replayCapacity?: number;
  clock?: Clock;
  /** Wall time, for when the registry status changed. */
  now?: () => Date;
}

/**
 * The second half of the store: numbers changes into deltas. Changes wait in `pending` (the last
 * one per instance key wins), leave together at most once per window, are kept for replay and go
 * to every subscriber. It also carries what each delta is stamped with: the etcd revision and the
 * registry status.
 */
export interface DeltaLog {
  record(change: Change): void;
  seq(): number;
  revision(): string;
  setRevision(revision: string): void;
  registryStatus(): RegistryStatus;
  setRegistryStatus(status: Omit<RegistryStatus, 'since'>): void;
  /** Deltas after `seq`, or null when they are no longer kept (the client needs a snapshot). */
  deltasSince(seq: number): Delta[] | null;
  subscribe(listener: (delta: Delta) => void): () => void;
  /** Emits what is pending now instead of waiting for the window. */
  flush(): void;
  close(): void;
}

const changeKey = (change: Change): string => (change.op === 'upsert' ? change.instance.key : change.key);

export function createDeltaLog(options: DeltaLogOptions): DeltaLog {
  const now = options.now ?? (() => new Date());
  const replayCapacity = options.replayCapacity ?? 1024;
  const pending = new Map<string, Change>();
  const kept: Delta[] = [];
  const listeners = new Set<(delta: Delta) => void>();
  let seq = 0;
  let revision = '0';
  let registry: RegistryStatus = { state: 'connecting', since: now().toISOString() };
  let registryChanged = false;

  const emit = (): boolean => {
    if (pending.size === 0 && !registryChanged) return false;
    seq += 1;
    const delta: Delta = { seq, revision, changes: [...pending.values()] };
    if (registryChanged) delta.registry = registry;
    pending.clear();
    registryChanged = false;
    kept.push(delta);
    if (kept.length > replayCapacity) kept.shift();
    for (const listener of listeners) listener(delta);
    return true;
  };
  const throttle = createThrottle(emit, options.coalesceMs, options.clock ?? systemClock);

  return {
    record(change) {
      pending.set(changeKey(change), change);
      throttle.schedule();
    },
    seq: () => seq,
    revision: () => revision,
    setRevision(next) {
      revision = next;
    },
    registryStatus: () => registry,
    setRegistryStatus(status) {
      if (status.state === registry.state && status.phase === registry.phase && status.message === registry.message) return;
      const since = status.state === registry.state ? registry.since : now().toISOString();
      registry = { ...status, since };
      registryChanged = true;
      throttle.schedule();
    },
    deltasSince(since) {
      if (since === seq) return [];
      if (since > seq) return null;
      const first = kept[0];
      if (!first || first.seq > since + 1) return null;
      return kept.slice(since + 1 - first.seq);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush: () => throttle.runNow(),
    close() {
      throttle.cancel();
      listeners.clear();
    },
  };
}
