import { afterEach, describe, expect, it } from 'vitest';
import { decodeSignals, packSignals, type Signal, type SignalKind } from '@/lib/model/cluster/signals';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Instance } from '@/lib/model/instance';
import { createLostTracker, type LostTracker } from '../lost/tracker';
import { createStore, type Store } from '../store/store';
import { shareLosses } from './lost-hand-off';
import type { SignalBus } from './signal-bus';

/**
 * Replicas on one in-memory channel whose messages the test delivers, in the order it chooses (the
 * order LISTEN/NOTIFY gives is the database's commit order, which the replicas do not control).
 * Messages go through the real wire format (packSignals / decodeSignals), schemas included.
 */
function createNetwork() {
  type Handler = (items: never[], from: string) => void;
  const nodes = new Map<string, Map<SignalKind, Set<Handler>>>();
  const listeningAgain = new Map<string, Set<() => void>>();
  /** Replicas whose signal connection is down: what is delivered meanwhile never reaches them (NOTIFY keeps nothing). */
  const deaf = new Set<string>();
  const inFlight: { from: string; kind: SignalKind; text: string }[] = [];
  const busOf = (id: string): SignalBus => {
    const handlers = new Map<SignalKind, Set<Handler>>();
    nodes.set(id, handlers);
    const again = new Set<() => void>();
    listeningAgain.set(id, again);
    return {
      publish<K extends SignalKind>(kind: K, item: Signal<K>) {
        for (const message of packSignals(id, kind, [item], 7_900).messages) inFlight.push({ from: id, kind, text: message.text });
      },
      subscribe<K extends SignalKind>(kind: K, handler: (items: Signal<K>[], from: string) => void) {
        let set = handlers.get(kind);
        if (!set) handlers.set(kind, (set = new Set()));
        set.add(handler as Handler);
        return () => set.delete(handler as Handler);
      },
      onListeningAgain(handler) {
        again.add(handler);
        return () => again.delete(handler);
      },
      stats: () => ({ connected: true, sent: 0, received: 0, rejected: 0, dropped: 0 }),
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
  };
  /** Delivers (to every replica but its sender) the messages in flight that `which` picks, in the order sent. */
  const deliver = (which: (message: { from: string; kind: SignalKind }) => boolean = () => true): number => {
    const picked = inFlight.filter(which);
    for (const message of picked) {
      inFlight.splice(inFlight.indexOf(message), 1);
      const decoded = decodeSignals(message.text);
      if (!decoded || decoded.rejected > 0) throw new Error(`a ${message.kind} message did not pass its schema`);
      for (const [id, handlers] of nodes) if (id !== message.from && !deaf.has(id)) for (const handler of handlers.get(decoded.kind) ?? []) handler(decoded.items as never[], decoded.from);
    }
    return picked.length;
  };
  /** `id`'s connection drops (true) or it listens again (false), as the real bus tells its `onListeningAgain` handlers. */
  const setDeaf = (id: string, isDeaf: boolean): void => {
    if (isDeaf) deaf.add(id);
    else if (deaf.delete(id)) for (const handler of listeningAgain.get(id) ?? []) handler();
  };
  return { busOf, deliver, inFlight, setDeaf };
}

const T0 = Date.parse('2026-12-06T18:00:00.000Z');
const lostX: Instance = {
  id: 'x-1',
  service: 'orders',
  key: '/services/orders/x-1',
  address: '10.0.0.9:8080',
  format: 'native',
  metadata: {},
  status: 'critical',
  drain: null,
  lost: { at: '2026-12-06T17:59:50.000Z', cause: 'lease expired at 17:59:55 UTC after probes failed from 17:59:50 UTC; last probe: connection refused', passingBefore: 1 },
};

interface Replica {
  id: string;
  store: Store;
  tracker: LostTracker;
  shared: ReturnType<typeof shareLosses>;
  history: NewHistoryEvent[];
  lostIds(): string[];
}
const started: Replica[] = [];
afterEach(() => {
  for (const replica of started.splice(0)) {
    replica.shared.stop();
    replica.tracker.stop();
    replica.store.close();
  }
});

function replicaOn(network: ReturnType<typeof createNetwork>, id: string, ready: Promise<void> = Promise.resolve(), now: () => number = () => T0): Replica {
  const store = createStore({ coalesceMs: 0 });
  const history: NewHistoryEvent[] = [];
  const tracker = createLostTracker({ store, retentionSeconds: 600, onHistory: (event) => history.push(event), now });
  const shared = shareLosses({ bus: network.busOf(id), lost: tracker, self: id, ready, retentionSeconds: 600, now });
  const replica: Replica = {
    id,
    store,
    tracker,
    shared,
    history,
    lostIds: () => {
      store.flush();
      return [...store.instances()].filter((instance) => instance.lost).map((instance) => instance.id);
    },
  };
  started.push(replica);
  return replica;
}
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `replica`'s watch sees x-1 registered, failing, then its key deleted at `revision` (lease gone): a loss of its own. */
async function watchLoss(replica: Replica, revision: string): Promise<void> {
  const { store, tracker } = replica;
  store.upsertKey({ etcdKey: lostX.key, lease: '7', registrations: [{ service: 'orders', id: 'x-1', address: '10.0.0.9:8080', format: 'native', metadata: {} }] });
  store.setHealth(lostX.key, { status: 'critical', statusCause: 'probe failed', lastProbe: { at: new Date(T0 - 20_000).toISOString(), ok: false, latencyMs: 1, error: 'connection refused' } });
  store.flush();
  tracker.keyGoing(lostX.key, Promise.resolve('gone'), revision);
  store.removeKey(lostX.key);
  store.flush();
  await turn();
  store.flush();
}

describe('lost instances handed to a replica that starts', () => {
  it('a dismissal taken while a starting replica asked stays dismissed everywhere, even when an answer carrying the loss arrives after it', async () => {
    const network = createNetwork();
    // A and C were watching when x-1 went: both hold the loss.
    const a = replicaOn(network, 'replica-a');
    const c = replicaOn(network, 'replica-c');
    for (const holder of [a, c]) holder.tracker.adopt(lostX, T0 - 5_000);
    await turn();
    network.inFlight.splice(0);
    // D starts and asks; A and C answer at once, both before the dismissal below.
    const d = replicaOn(network, 'replica-d');
    await turn();
    expect(network.deliver((message) => message.kind === 'lostAsk')).toBe(1);
    // An operator dismisses x-1 on A; the dismissal reaches every replica before C's answer does.
    expect(a.shared.lost.dismiss('orders', 'x-1', 'user:ops').ok).toBe(true);
    expect(network.deliver((message) => message.kind === 'lostDismissed')).toBe(1);
    expect(network.deliver()).toBeGreaterThan(0);
    // Before: A and D adopted the answer again (broadcast, and nothing remembered the dismissal), and
    // held x-1 for its whole retention though history recorded it dismissed.
    expect({ a: a.lostIds(), c: c.lostIds(), d: d.lostIds() }).toEqual({ a: [], c: [], d: [] });
    expect(a.history.map((event) => [event.kind, event.actor])).toEqual([['instance.lost_cleared', 'user:ops']]);
  });

  it('an answer is adopted by the replica that asked alone', async () => {
    const network = createNetwork();
    const c = replicaOn(network, 'replica-c');
    c.tracker.adopt(lostX, T0 - 5_000);
    // B runs and does not hold x-1 (it judged the departure otherwise, or dismissed it before D existed).
    const b = replicaOn(network, 'replica-b');
    await turn();
    network.inFlight.splice(0);
    const d = replicaOn(network, 'replica-d');
    await turn();
    network.deliver((message) => message.kind === 'lostAsk');
    network.deliver();
    expect({ b: b.lostIds(), c: c.lostIds(), d: d.lostIds() }).toEqual({ b: [], c: ['x-1'], d: ['x-1'] });
  });

  it('during a rolling upgrade adopts an old replica\'s answer, which has no `to`, unless it remembers that loss dismissed', async () => {
    const network = createNetwork();
    // An old replica answers the way it did before answers were addressed: a broadcast without `to`.
    const old = network.busOf('replica-old');
    const lostY: Instance = { ...lostX, id: 'y-1', key: '/services/orders/y-1' };
    old.subscribe('lostAsk', () => {
      for (const instance of [lostX, lostY]) old.publish('lost', { instance, removedAt: T0 - 5_000 } as Signal<'lost'>);
    });
    const d = replicaOn(network, 'replica-d');
    await turn();
    // Dismissed on another replica before the answer arrives: remembered, and not adopted from it.
    d.tracker.dismissedElsewhere('orders', 'y-1', 'user:ops');
    expect(network.deliver((message) => message.kind === 'lostAsk')).toBe(1);
    // Before: the answer failed the schema (`to` required), and D adopted none of the old replica's losses.
    expect(network.deliver()).toBeGreaterThan(0);
    expect(d.lostIds()).toEqual(['x-1']);
  });

  it('asks only once its registry has listed etcd, so a loss whose instance is registered again is not adopted', async () => {
    const network = createNetwork();
    const c = replicaOn(network, 'replica-c');
    c.tracker.adopt(lostX, T0 - 5_000);
    await turn();
    network.inFlight.splice(0);
    let listed = (): void => undefined;
    const d = replicaOn(network, 'replica-d', new Promise<void>((resolve) => (listed = resolve)));
    await turn();
    // Before its listing, nothing asked: x-1 may be registered again in what etcd is about to list.
    expect(network.inFlight.map((message) => message.kind)).toEqual([]);
    d.store.upsertKey({ etcdKey: '/services/orders/x-1-new', lease: '9', registrations: [{ service: 'orders', id: 'x-1', address: '10.0.0.9:8080', format: 'native', metadata: {} }] });
    d.store.flush();
    listed();
    await turn();
    expect(network.inFlight.map((message) => message.kind)).toEqual(['lostAsk']);
    network.deliver((message) => message.kind === 'lostAsk');
    network.deliver();
    expect(d.lostIds()).toEqual([]);
  });
});

describe('dismissals a replica did not hear', () => {
  /** A holds x-1 (and B too, unless `bHoldsIt` is false); B stops listening, then an operator dismisses x-1 on A at T0. */
  async function dismissedWhileDeaf(bHoldsIt = true) {
    const network = createNetwork();
    const a = replicaOn(network, 'replica-a');
    const b = replicaOn(network, 'replica-b');
    a.tracker.adopt(lostX, T0 - 5_000);
    if (bHoldsIt) b.tracker.adopt(lostX, T0 - 5_000);
    await turn();
    network.inFlight.splice(0);
    network.setDeaf('replica-b', true);
    expect(a.shared.lost.dismiss('orders', 'x-1', 'user:ops').ok).toBe(true);
    expect(network.deliver()).toBe(1);
    return { network, a, b };
  }

  it('drops a loss dismissed while it was not listening once it listens again, and records who dismissed it and when', async () => {
    const { network, a, b } = await dismissedWhileDeaf();
    expect(b.lostIds()).toEqual(['x-1']);
    network.setDeaf('replica-b', false);
    // Before: nothing was asked, and B showed x-1 for its whole retention (and, leading, never recorded the dismissal).
    expect(network.inFlight.map((message) => message.kind)).toEqual(['lostDismissedAsk']);
    network.deliver();
    // An answer of its own kind: a replica older than it would read an addressed `lostDismissed` as a broadcast.
    expect(network.inFlight.map((message) => message.kind)).toEqual(['lostDismissedAgain']);
    network.deliver();
    expect({ a: a.lostIds(), b: b.lostIds() }).toEqual({ a: [], b: [] });
    expect(b.history.map((event) => [event.kind, event.actor, event.at])).toEqual([['instance.lost_cleared', 'user:ops', new Date(T0).toISOString()]]);
    // Remembered there too: an answer still carrying x-1 is not adopted.
    b.tracker.adopt(lostX, T0 - 5_000);
    expect(b.lostIds()).toEqual([]);
  });

  it('keeps a later loss of the same instance, whose key its watch saw deleted at a later revision than the loss dismissed', async () => {
    const network = createNetwork();
    const a = replicaOn(network, 'replica-a');
    const b = replicaOn(network, 'replica-b');
    for (const replica of [a, b]) await watchLoss(replica, '100');
    network.inFlight.splice(0);
    network.setDeaf('replica-b', true);
    expect(a.shared.lost.dismiss('orders', 'x-1', 'user:ops')).toMatchObject({ ok: true, dismissal: { revision: '100' } });
    network.deliver();
    // Unheard on B: x-1 registers again there (its loss cleared), fails and goes again at revision 130 — a new loss.
    await watchLoss(b, '130');
    expect(b.lostIds()).toEqual(['x-1']);
    network.setDeaf('replica-b', false);
    network.deliver();
    network.deliver();
    expect(b.lostIds()).toEqual(['x-1']);
    expect(b.history.filter((event) => event.actor === 'user:ops')).toEqual([]);
  });

  it('drops on a dismissal a loss it adopted, whose delete it never saw (a replica started after it)', async () => {
    const network = createNetwork();
    const a = replicaOn(network, 'replica-a');
    const b = replicaOn(network, 'replica-b');
    await watchLoss(a, '100');
    b.store.setRevision('150');
    b.tracker.adopt(lostX, T0 - 5_000);
    await turn();
    network.inFlight.splice(0);
    expect(a.shared.lost.dismiss('orders', 'x-1', 'user:ops').ok).toBe(true);
    network.deliver();
    // Before: B took its adoption's revision (150) for the delete's and kept the dismissed loss.
    expect(b.lostIds()).toEqual([]);
  });

  it('tells its own dismissals again once it listens again: the batch its lost connection dropped reached no one', async () => {
    const network = createNetwork();
    const a = replicaOn(network, 'replica-a');
    const b = replicaOn(network, 'replica-b');
    for (const holder of [a, b]) holder.tracker.adopt(lostX, T0 - 5_000);
    await turn();
    network.inFlight.splice(0);
    expect(a.shared.lost.dismiss('orders', 'x-1', 'user:ops').ok).toBe(true);
    // A's connection drops with the dismissal in the batch being sent.
    network.setDeaf('replica-a', true);
    network.inFlight.splice(0);
    network.setDeaf('replica-a', false);
    network.deliver();
    expect(b.lostIds()).toEqual([]);
    expect(b.history.map((event) => [event.kind, event.actor])).toEqual([['instance.lost_cleared', 'user:ops']]);
  });
});
