import type { Delta, Snapshot } from '@/lib/model/live';
import { applyDelta, stateFromSnapshot, type LiveState } from '@/lib/model/state';

/** Ask again if a resume request got no answer (e.g. it was sent just before a disconnect). */
export const RESUME_RETRY_MS = 5000;

export interface LiveReceiver {
  current(): LiveState;
  /** Takes a state from elsewhere (a newer server render); older ones are ignored. */
  offer(state: LiveState): void;
  snapshot(snapshot: Snapshot): void;
  delta(delta: Delta): void;
}

interface Hooks {
  onState(state: LiveState): void;
  requestResume(seq: number): void;
  now?: () => number;
}

/**
 * The browser side of the snapshot-then-deltas protocol, free of React and sockets: snapshots
 * replace, deltas apply in seq order, a gap asks the server to resume from the last applied seq
 * (once, until answered or RESUME_RETRY_MS passes; deltas keep arriving meanwhile).
 */
export function createLiveReceiver(initial: LiveState, hooks: Hooks): LiveReceiver {
  const now = hooks.now ?? Date.now;
  let state = initial;
  let pendingResume: { seq: number; at: number } | undefined;

  const accept = (next: LiveState) => {
    state = next;
    pendingResume = undefined;
    hooks.onState(next);
  };

  return {
    current: () => state,
    offer(next) {
      if (next.epoch !== state.epoch || next.seq > state.seq) accept(next);
    },
    snapshot(snapshot) {
      accept(stateFromSnapshot(snapshot));
    },
    delta(delta) {
      const result = applyDelta(state, delta);
      if (result.outcome === 'applied') return accept(result.state);
      if (result.outcome !== 'gap') return;
      const at = now();
      if (pendingResume?.seq === state.seq && at - pendingResume.at < RESUME_RETRY_MS) return;
      pendingResume = { seq: state.seq, at };
      hooks.requestResume(state.seq);
    },
  };
}
