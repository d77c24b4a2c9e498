import { describe, expect, it, vi } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import type { Delta, Snapshot } from '@/lib/model/live';
import { stateFromSnapshot } from '@/lib/model/state';
import { createLiveReceiver, RESUME_RETRY_MS } from './liveReceiver';

const synced = { state: 'synced' as const, since: '2026-01-01T00:00:00Z' };

function instance(service: string, id: string): Instance {
  return { id, service, key: `/services/${service}/${id}`, address: '10.0.0.1:80', format: 'native', metadata: {}, status: 'unknown', drain: null };
}

const snapshot = (seq: number, ids: string[] = []): Snapshot => ({
  epoch: 'run-1',
  seq,
  revision: String(seq),
  registry: synced,
  services: ids.length ? [{ name: 'svc', status: 'unknown', instances: ids.map((id) => instance('svc', id)) }] : [],
});

const upsert = (seq: number, id: string): Delta => ({ seq, revision: String(seq), changes: [{ op: 'upsert', instance: instance('svc', id) }] });

function setup(startSeq = 5) {
  let clock = 0;
  const onState = vi.fn();
  const requestResume = vi.fn();
  const receiver = createLiveReceiver(stateFromSnapshot(snapshot(startSeq)), { onState, requestResume, now: () => clock });
  return { receiver, onState, requestResume, tick: (ms: number) => (clock += ms) };
}

const ids = (receiver: ReturnType<typeof setup>['receiver']) => [...(receiver.current().services.get('svc')?.values() ?? [])].map((i) => i.id);

describe('createLiveReceiver', () => {
  it('applies consecutive deltas and ignores stale ones', () => {
    const { receiver, onState, requestResume } = setup();
    receiver.delta(upsert(6, 'a'));
    receiver.delta(upsert(7, 'b'));
    receiver.delta(upsert(7, 'stale'));
    expect(ids(receiver)).toEqual(['a', 'b']);
    expect(receiver.current().seq).toBe(7);
    expect(onState).toHaveBeenCalledTimes(2);
    expect(requestResume).not.toHaveBeenCalled();
  });

  it('on a gap asks to resume from the last applied seq, once until answered', () => {
    const { receiver, requestResume, tick } = setup();
    receiver.delta(upsert(8, 'x'));
    receiver.delta(upsert(9, 'y'));
    expect(requestResume).toHaveBeenCalledTimes(1);
    expect(requestResume).toHaveBeenCalledWith(5);
    expect(ids(receiver)).toEqual([]);

    tick(RESUME_RETRY_MS);
    receiver.delta(upsert(10, 'z'));
    expect(requestResume).toHaveBeenCalledTimes(2);

    // The server replays what was missed; the state moves on and later gaps ask again.
    for (const [seq, id] of [[6, 'p'], [7, 'q'], [8, 'x'], [9, 'y'], [10, 'z']] as const) receiver.delta(upsert(seq, id));
    expect(ids(receiver)).toEqual(['p', 'q', 'x', 'y', 'z']);
    receiver.delta(upsert(12, 'late'));
    expect(requestResume).toHaveBeenLastCalledWith(10);
  });

  it('a snapshot replaces the state whatever its seq (a restarted server starts over)', () => {
    const { receiver } = setup(50);
    receiver.snapshot(snapshot(2, ['fresh']));
    expect(receiver.current().seq).toBe(2);
    expect(ids(receiver)).toEqual(['fresh']);
  });

  it('takes an offered state only when it is newer', () => {
    const { receiver } = setup(5);
    receiver.offer(stateFromSnapshot(snapshot(4, ['old'])));
    expect(ids(receiver)).toEqual([]);
    receiver.offer(stateFromSnapshot(snapshot(6, ['new'])));
    expect(ids(receiver)).toEqual(['new']);
  });
});

describe('a server restart', () => {
  it('takes the new run\'s snapshot even though its seq is lower', () => {
    const onState = vi.fn();
    const receiver = createLiveReceiver(stateFromSnapshot(snapshot(40, ['old'])), { onState, requestResume: vi.fn() });
    receiver.offer(stateFromSnapshot({ ...snapshot(3, ['new']), epoch: 'run-2' }));
    expect(receiver.current().epoch).toBe('run-2');
    expect([...(receiver.current().services.get('svc')?.keys() ?? [])]).toEqual(['/services/svc/new']);
  });
});
