import type { DismissalTold, LostTracker } from '../lost/tracker';
import type { SignalBus } from './signal-bus';

/** Losses a replica tells one that asks at most (the newest): a bound on one answer, far above a real outage's. */
const MAX_TOLD = 5_000;

/**
 * Lost instances are known only to the replicas that saw their keys go: each keeps its stand-ins in
 * memory (lost/tracker.ts). A replica started during an outage (a crashed one restarted by its
 * supervisor, a rolling upgrade) listed the service of a crashed instance not at all, while the
 * others showed it critical, and a browser's next request could land on either. And a dismissal
 * reached only the replica that took it: the others kept the loss, and unless that replica led,
 * no history recorded the dismissal.
 *
 * So a starting replica asks once its registry has listed etcd (`ready`: before it, "registered
 * again" was judged against an empty store), and every replica holding losses answers with them,
 * addressed to the asker (`to`): the asker alone adopts them (no history: it was recorded when it
 * happened). Broadcast, an answer sent just before its sender heard of a dismissal brought the
 * dismissed loss back on every replica, for its whole retention. A dismissal is passed on, and each
 * replica drops the loss (the leader's drop writes the one history row) and remembers it, so an
 * answer still carrying it is not adopted either (`LostTracker.dismissedElsewhere`). An answer
 * without `to` comes from a replica older than that (rolling upgrade): adopted, as it was then. A
 * replica whose signal connection was down heard none of the dismissals sent meanwhile: listening
 * again, it asks, and each replica answers with those it remembers (`lostDismissedAgain`), each with
 * the etcd revision of its loss's key's delete where known: a loss of the same instance whose key
 * was deleted later is another loss and stays. It also tells again the dismissals it took meanwhile, which may have gone
 * out with the batch its lost connection dropped. Returns the tracker whose `dismiss` also tells the others.
 */
export function shareLosses(options: { bus: SignalBus; lost: LostTracker; self: string; ready: Promise<void>; retentionSeconds: number; now?: () => number }): { lost: LostTracker; stop(): void } {
  const { bus, lost, self } = options;
  const retentionMs = options.retentionSeconds * 1_000;
  const now = options.now ?? Date.now;
  /** Dismissals taken here within the retention since this replica last listened again: told again then. */
  const takenHere: DismissalTold[] = [];
  const forgetOldTaken = (): void => {
    while (takenHere[0] && takenHere[0].at + retentionMs <= now()) takenHere.shift();
  };
  let stopped = false;
  const stops = [
    bus.subscribe('lostAsk', (_items, asker) => {
      const held = lost.held().sort((a, b) => b.removedAt - a.removedAt).slice(0, MAX_TOLD);
      for (const { instance, removedAt } of held) if (instance.lost) bus.publish('lost', { to: asker, instance: { ...instance, lost: instance.lost }, removedAt });
    }),
    bus.subscribe('lost', (items) => {
      // No `to`: an old replica's broadcast answer (rolling upgrade), adopted as before; `adopt` still skips a loss dismissed.
      for (const { to, instance, removedAt } of items) if (to === undefined || to === self) lost.adopt(instance, removedAt);
    }),
    bus.subscribe('lostDismissed', (items) => {
      for (const { service, id, actor, at, revision } of items) lost.dismissedElsewhere(service, id, actor, { at, revision });
    }),
    bus.subscribe('lostDismissedAsk', (_items, asker) => {
      for (const told of lost.dismissals().slice(-MAX_TOLD)) bus.publish('lostDismissedAgain', { to: asker, ...told });
    }),
    bus.subscribe('lostDismissedAgain', (items) => {
      for (const { to, service, id, actor, at, revision } of items) if (to === undefined || to === self) lost.dismissedElsewhere(service, id, actor, { at, revision });
    }),
    // Dismissals sent while this replica was not listening were never heard here: ask who remembers them.
    // And one taken here may have gone out with the batch its lost connection dropped: told again, as a
    // kind replicas older than revisions drop (a replica that heard it already ignores it).
    bus.onListeningAgain(() => {
      if (stopped) return;
      bus.publish('lostDismissedAsk', { ask: true });
      forgetOldTaken();
      for (const told of takenHere.splice(0)) bus.publish('lostDismissedAgain', told);
    }),
  ];
  // Asked once subscribed (answers, within the bus's 100 ms batches, find the handlers in place) and
  // once the registry has listed etcd (an answer for an instance registered again is then ignored).
  void options.ready.then(
    () => {
      if (!stopped) bus.publish('lostAsk', { ask: true });
    },
    () => undefined,
  );
  return {
    lost: {
      ...lost,
      dismiss(service, id, actor) {
        const result = lost.dismiss(service, id, actor);
        if (result.ok) {
          bus.publish('lostDismissed', result.dismissal);
          forgetOldTaken();
          takenHere.push(result.dismissal);
          if (takenHere.length > MAX_TOLD) takenHere.shift();
        }
        return result;
      },
    },
    stop() {
      stopped = true;
      for (const stop of stops) stop();
    },
  };
}
