import type { IKeyValue, IWatchResponse } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { createBacklogBound, createWatchApplier, MAX_BACKLOG_GROWTH, WATCH_EVENTS_PER_TURN, type WatchEvent } from './watch-applier';

const keyValue = (key: string, revision: number): IKeyValue => ({
  key: Buffer.from(key),
  create_revision: '1',
  mod_revision: String(revision),
  version: '1',
  value: Buffer.from(''),
  lease: '0',
});

/** A watch response of `count` deletes under `prefix`, at `revision`. */
function deletes(prefix: string, count: number, revision: number): IWatchResponse {
  return {
    header: { cluster_id: '1', member_id: '1', revision: String(revision), raft_term: '1' },
    watch_id: '1',
    created: false,
    canceled: false,
    compact_revision: '0',
    cancel_reason: '',
    fragment: false,
    events: Array.from({ length: count }, (_, i) => ({ type: 'Delete' as const, kv: keyValue(`${prefix}${i}`, revision), prev_kv: keyValue(`${prefix}${i}`, revision) })),
  };
}

/** The next iteration of the event loop: the applier's immediates queued before this one have run. */
const nextIteration = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An applier over a fake session and store; `applied` lists the keys applied, `ends` how the session ended. */
function setup(options: { bound?: number; apply?: (event: WatchEvent) => void } = {}) {
  const applied: string[] = [];
  const ends: { reason: string; ours: boolean; detail?: string }[] = [];
  const session = {
    ended: false,
    end(reason: string, ours: boolean, detail?: string) {
      if (session.ended) return;
      session.ended = true;
      ends.push({ reason, ours, ...(detail === undefined ? {} : { detail }) });
    },
  };
  let revision = '10';
  const backlog = createBacklogBound(options.bound ?? 1_000);
  const counted: number[] = [];
  const applier = createWatchApplier({
    session,
    apply(event) {
      options.apply?.(event);
      applied.push(event.kv.key.toString());
    },
    store: { revision: () => revision, setRevision: (next) => (revision = next) },
    countEvents: (count) => counted.push(count),
    backlog,
  });
  return { applier, applied, ends, session, backlog, counted, revision: () => revision };
}

describe('watch applier', () => {
  it('holds what arrives until released, then applies it and says caught up at once when it fits the turn', () => {
    const { applier, applied, counted, revision } = setup();
    applier.push(deletes('/a/', 3, 11));
    applier.push(deletes('/b/', 2, 12));
    expect(applied).toEqual([]);
    expect(applier.pending()).toBe(5);
    let caughtUp = 0;
    applier.release(() => (caughtUp += 1));
    expect(applied).toEqual(['/a/0', '/a/1', '/a/2', '/b/0', '/b/1']);
    expect(caughtUp).toBe(1);
    expect(counted).toEqual([3, 2]);
    expect(revision()).toBe('12');
    expect(applier.pending()).toBe(0);
  });

  it('applies at most one budget per iteration of the loop, a poll phase and its check phase sharing one', async () => {
    const { applier, applied } = setup();
    applier.release(() => undefined);
    // Pushed outside the applier's immediate, as a response arriving in the poll phase is.
    applier.push(deletes('/a/', 600, 11));
    const seen = [applied.length];
    for (let iteration = 0; iteration < 3; iteration += 1) {
      await nextIteration();
      seen.push(applied.length);
    }
    // The iteration that spent 250 on arrival renews nothing in its check phase; the next renews.
    expect(seen).toEqual([WATCH_EVENTS_PER_TURN, WATCH_EVENTS_PER_TURN, 2 * WATCH_EVENTS_PER_TURN, 600]);
  });

  it('says caught up only once the held responses are applied, also when later ones are applied in the same turn', async () => {
    const { applier, applied } = setup();
    applier.push(deletes('/held/', 300, 11));
    let caughtUpAt: number | undefined;
    applier.release(() => (caughtUpAt = applied.length));
    expect(caughtUpAt).toBeUndefined();
    applier.push(deletes('/later/', 10, 12));
    while (applied.length < 310) await nextIteration();
    expect(caughtUpAt).toBe(310);
  });

  it('ends the session as its own failure beyond the bound, and the bound grows with each such end', () => {
    const { applier, ends, backlog, applied } = setup({ bound: 100 });
    applier.push(deletes('/a/', 60, 11));
    applier.push(deletes('/b/', 60, 12));
    expect(ends).toEqual([{ reason: 'watch backlog of 120 events not yet applied is over 100: applying falls behind what etcd sends', ours: true }]);
    expect(applier.pending()).toBe(0);
    expect(backlog.limit()).toBe(200);
    applier.release(() => undefined);
    expect(applied).toEqual([]);
  });

  it('brings the bound back to its base once a session has applied all it received', async () => {
    const { applier, backlog, applied } = setup({ bound: 100 });
    backlog.tripped();
    applier.release(() => undefined);
    expect(backlog.limit()).toBe(200);
    applier.push(deletes('/a/', 150, 11));
    while (applied.length < 150) await nextIteration();
    expect(backlog.limit()).toBe(100);
  });

  it('says which event failed, applies nothing after it and leaves the revision where it was', () => {
    const { applier, applied, ends, revision } = setup({
      apply(event) {
        if (event.kv.key.toString() === '/a/1') throw new Error('broken on purpose');
      },
    });
    applier.push(deletes('/a/', 3, 11));
    applier.release(() => undefined);
    expect(applied).toEqual(['/a/0']);
    expect(ends).toEqual([{ reason: 'applying the watched delete of /a/1 (revision 11) failed: broken on purpose', ours: true, detail: expect.stringContaining('broken on purpose') }]);
    expect(revision()).toBe('10');
  });

  it('applies nothing more of a response once applying ended the session', () => {
    const state: { end?: () => void } = {};
    const { applier, applied, ends, session, revision } = setup({
      apply(event) {
        if (event.kv.key.toString() === '/a/1') state.end?.();
      },
    });
    state.end = () => session.end('etcd lineage marker changed', false);
    applier.push(deletes('/a/', 3, 11));
    applier.release(() => undefined);
    expect(applied).toEqual(['/a/0', '/a/1']);
    expect(ends.map((end) => end.reason)).toEqual(['etcd lineage marker changed']);
    expect(revision()).toBe('10');
  });

  it('calls a throwing caught-up step its own failure', () => {
    const { applier, ends } = setup();
    applier.release(() => {
      throw new Error('status broken');
    });
    expect(ends).toMatchObject([{ reason: 'marking the registry synced failed: status broken', ours: true }]);
  });
});

describe('backlog bound', () => {
  it(`doubles with each relist it causes, up to ${MAX_BACKLOG_GROWTH} times its base, and is back to the base once caught up`, () => {
    const bound = createBacklogBound(100);
    const limits: number[] = [];
    for (let trip = 0; trip < 5; trip += 1) {
      bound.tripped();
      limits.push(bound.limit());
    }
    expect(limits).toEqual([200, 400, 800, 800, 800]);
    bound.caughtUp();
    expect(bound.limit()).toBe(100);
  });
});
