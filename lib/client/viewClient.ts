import type { ServiceDelta, ServiceSnapshot, SubscribeRequest, SummaryDelta, SummarySnapshot, UnsubscribeRequest } from '@/lib/model/live';
import {
  applyServiceDelta,
  applySummaryDelta,
  serviceViewFromSnapshot,
  summaryViewFromSnapshot,
  type ServiceView,
  type SummaryView,
} from '@/lib/model/views';

/** Ask again if a resume got no answer (e.g. it was sent just before a disconnect). */
export const RESUME_RETRY_MS = 5000;

export interface ViewTransport {
  subscribe(request: SubscribeRequest): void;
  unsubscribe(request: UnsubscribeRequest): void;
  connected(): boolean;
}

interface Held<V> {
  refs: number;
  view: V | null;
  listeners: Set<() => void>;
  /** The seq a resume was last asked from, and when: one request per gap until answered or RESUME_RETRY_MS. */
  resumeAsked?: { seq: number; at: number };
}

/**
 * The tab's views, free of React and sockets: which views are held (ref-counted, so two
 * components showing one service share one subscription), what each holds, the per-view rule on
 * every message (stale ignored, a gap re-subscribes with `resume`), and re-subscribing everything
 * held, with `resume`, after a reconnect.
 */
export interface ViewClient {
  /** Holds the summary view, seeded by a server render; returns the release. */
  holdSummary(seed?: SummarySnapshot): () => void;
  /** A newer server render of the summary (router.refresh) replaces what is held; an older one never does. */
  offerSummary(seed: SummarySnapshot): void;
  summary(): SummaryView | null;
  onSummary(listener: () => void): () => void;
  /** Holds one service's view (seeded by a server render, if any); returns the release. */
  holdService(service: string, seed?: ServiceSnapshot): () => void;
  service(service: string): ServiceView | null;
  onService(service: string, listener: () => void): () => void;
  /** Socket messages. */
  summarySnapshot(snapshot: SummarySnapshot): void;
  summaryDelta(delta: SummaryDelta): void;
  serviceSnapshot(snapshot: ServiceSnapshot): void;
  serviceDelta(delta: ServiceDelta): void;
  /** The socket (re)connected: subscribe to every view held, resuming where each stands. */
  connected(): void;
}

const resumeOf = (view: { epoch: string; seq: number } | null) => (view ? { resume: { epoch: view.epoch, seq: view.seq } } : {});
/** A server render newer than what the tab holds (or from another run) replaces it; an older one never does. */
const newer = (seed: { epoch: string; seq: number }, held: { epoch: string; seq: number } | null): boolean => held === null || seed.epoch !== held.epoch || seed.seq > held.seq;

export function createViewClient(transport: ViewTransport, now: () => number = Date.now): ViewClient {
  const summary: Held<SummaryView> = { refs: 0, view: null, listeners: new Set() };
  /** service name → its held view. A Map: names are strangers' strings. */
  const services = new Map<string, Held<ServiceView>>();

  const notify = (held: Held<unknown>): void => {
    for (const listener of held.listeners) listener();
  };
  const subscribeSummary = (): void => {
    if (transport.connected()) transport.subscribe({ view: 'summary', ...resumeOf(summary.view) });
  };
  const subscribeService = (name: string, held: Held<ServiceView>): void => {
    if (transport.connected()) transport.subscribe({ view: 'service', service: name, ...resumeOf(held.view) });
  };
  /** A gap: ask for a resume once per missing seq until answered or RESUME_RETRY_MS passes. */
  const askResume = (held: Held<{ seq: number }>, subscribe: () => void): void => {
    const seq = held.view?.seq ?? 0;
    const at = now();
    if (held.resumeAsked?.seq === seq && at - held.resumeAsked.at < RESUME_RETRY_MS) return;
    held.resumeAsked = { seq, at };
    subscribe();
  };
  const serviceHeld = (name: string): Held<ServiceView> => {
    let held = services.get(name);
    if (!held) services.set(name, (held = { refs: 0, view: null, listeners: new Set() }));
    return held;
  };

  return {
    holdSummary(seed) {
      if (seed && newer(seed, summary.view)) summary.view = summaryViewFromSnapshot(seed);
      summary.refs += 1;
      if (summary.refs === 1) subscribeSummary();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        summary.refs -= 1;
        if (summary.refs === 0 && transport.connected()) transport.unsubscribe({ view: 'summary' });
      };
    },
    offerSummary(seed) {
      if (!newer(seed, summary.view)) return;
      summary.view = summaryViewFromSnapshot(seed);
      notify(summary);
    },
    summary: () => summary.view,
    onSummary(listener) {
      summary.listeners.add(listener);
      return () => summary.listeners.delete(listener);
    },
    holdService(name, seed) {
      const held = serviceHeld(name);
      if (seed && seed.service === name && newer(seed, held.view)) {
        held.view = serviceViewFromSnapshot(seed);
        notify(held);
      }
      held.refs += 1;
      if (held.refs === 1) subscribeService(name, held);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs > 0) return;
        if (transport.connected()) transport.unsubscribe({ view: 'service', service: name });
        // Kept only while listened to; a later hold starts from a fresh snapshot.
        if (held.listeners.size === 0) services.delete(name);
        else held.view = null;
      };
    },
    service: (name) => services.get(name)?.view ?? null,
    onService(name, listener) {
      const held = serviceHeld(name);
      held.listeners.add(listener);
      return () => {
        held.listeners.delete(listener);
        if (held.listeners.size === 0 && held.refs === 0) services.delete(name);
      };
    },
    summarySnapshot(snapshot) {
      if (summary.refs === 0) return;
      summary.view = summaryViewFromSnapshot(snapshot);
      summary.resumeAsked = undefined;
      notify(summary);
    },
    summaryDelta(delta) {
      if (summary.refs === 0) return;
      // Nothing held yet: the snapshot the subscribe asked for is on its way.
      if (!summary.view) return;
      const result = applySummaryDelta(summary.view, delta);
      if (result.outcome === 'gap') return askResume(summary, subscribeSummary);
      if (result.outcome !== 'applied') return;
      summary.view = result.view;
      summary.resumeAsked = undefined;
      notify(summary);
    },
    serviceSnapshot(snapshot) {
      const held = services.get(snapshot.service);
      if (!held || held.refs === 0) return;
      held.view = serviceViewFromSnapshot(snapshot);
      held.resumeAsked = undefined;
      notify(held);
    },
    serviceDelta(delta) {
      const held = services.get(delta.service);
      if (!held || held.refs === 0) return;
      if (!held.view) return;
      const result = applyServiceDelta(held.view, delta);
      if (result.outcome === 'gap') return askResume(held, () => subscribeService(delta.service, held));
      if (result.outcome !== 'applied') return;
      held.view = result.view;
      held.resumeAsked = undefined;
      notify(held);
    },
    connected() {
      if (summary.refs > 0) subscribeSummary();
      for (const [name, held] of services) if (held.refs > 0) subscribeService(name, held);
    },
  };
}
