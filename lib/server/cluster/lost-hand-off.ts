import type { LostTracker } from '../lost/tracker';
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
 * So a starting replica asks, and every replica holding losses answers with them; the asker adopts
 * each one (no history: it was recorded when it happened). A dismissal is passed on, and each
 * replica drops the loss: the leader's drop writes the one history row. Returns the tracker whose
 * `dismiss` also tells the others.
 */
export function shareLosses(options: { bus: SignalBus; lost: LostTracker }): { lost: LostTracker; stop(): void } {
  const { bus, lost } = options;
  const stops = [
    bus.subscribe('lostAsk', () => {
      const held = lost.held().sort((a, b) => b.removedAt - a.removedAt).slice(0, MAX_TOLD);
      for (const { instance, removedAt } of held) if (instance.lost) bus.publish('lost', { instance: { ...instance, lost: instance.lost }, removedAt });
    }),
    bus.subscribe('lost', (items) => {
      for (const { instance, removedAt } of items) lost.adopt(instance, removedAt);
    }),
    bus.subscribe('lostDismissed', (items) => {
      for (const { service, id, actor } of items) lost.dismiss(service, id, actor);
    }),
  ];
  // Asked once subscribed: answers (within the bus's 100 ms batches) find the handlers in place.
  bus.publish('lostAsk', { ask: true });
  return {
    lost: {
      ...lost,
      dismiss(service, id, actor) {
        const result = lost.dismiss(service, id, actor);
        if (result.ok) bus.publish('lostDismissed', { service, id, actor });
        return result;
      },
    },
    stop() {
      for (const stop of stops) stop();
    },
  };
}
