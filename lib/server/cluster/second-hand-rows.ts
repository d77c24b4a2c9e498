import type { NewHistoryEvent } from '@/lib/model/events';
import type { History } from '../history/store';

/** Long enough for the replica that made a change through its API to have written its row (50 ms batches); short for an audit. */
const DEFER_MS = 2_000;

/** Rows the registry derives from the watch that the drain API also writes, under the same natural key. */
const SECOND_HAND: ReadonlySet<NewHistoryEvent['kind']> = new Set<NewHistoryEvent['kind']>(['instance.drained', 'instance.undrained']);

/**
 * A drain or undrain made through one replica's API is recorded by that replica with the operator
 * and the API's detail (a guard overridden, a bulk drain), and by every replica from its watch under
 * the same natural key, without them (etcd does not say who deleted a key). The first row in wins.
 * The others' watch rows reached the shared database first: three replicas recorded six API
 * undrains in a row as "unknown (deleted in etcd directly)" (replica-drain-audit.test.ts). So with
 * replicas the watch's drain rows wait a moment: the API's row, when there is one, is in first and
 * theirs are dropped by the natural key; a drain written with etcdctl is still recorded, 2 s late.
 * Stopping writes what still waits.
 */
export function deferSecondHandRows(history: Pick<History, 'append'>): { append(event: NewHistoryEvent): void; stop(): void } {
  const waiting = new Map<NodeJS.Timeout, NewHistoryEvent>();
  return {
    append(event) {
      if (!SECOND_HAND.has(event.kind)) {
        history.append(event);
        return;
      }
      const timer = setTimeout(() => {
        waiting.delete(timer);
        history.append(event);
      }, DEFER_MS);
      timer.unref();
      waiting.set(timer, event);
    },
    stop() {
      for (const [timer, event] of waiting) {
        clearTimeout(timer);
        history.append(event);
      }
      waiting.clear();
    },
  };
}
