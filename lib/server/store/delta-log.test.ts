import { afterEach, describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import type { Change, Delta } from '@/lib/model/live';
import { createManualClock } from '@/tests/support/manual-clock';
import { createDeltaLog, type DeltaLog } from './delta-log';

const upsert = (key: string, address = '127.0.0.1:1'): Change => ({
  op: 'upsert',
  instance: { key, service: 'users', id: key, address, format: 'native', metadata: {}, status: 'unknown', drain: null } satisfies Instance,
});
const remove = (key: string): Change => ({ op: 'remove', service: 'users', key });

let log: DeltaLog;
afterEach(() => log.close());

describe('delta log', () => {
  it("sends a change after a quiet spell on the next tick, with the same tick's changes", () => {
    const clock = createManualClock();
    log = createDeltaLog({ coalesceMs: 1_000, clock });
    const deltas: Delta[] = [];
    log.subscribe((delta) => deltas.push(delta));
    log.record(upsert('a'));
    log.record(upsert('b'));
    log.record(remove('a'));
    expect(deltas).toHaveLength(0);
    clock.advance(0);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.seq).toBe(1);
    expect(deltas[0]?.changes.map((c) => c.op).sort()).toEqual(['remove', 'upsert']);
  });

  it('during a burst sends at most one delta per window, the last write per key winning', () => {
    const clock = createManualClock();
    log = createDeltaLog({ coalesceMs: 300, clock });
    const deltas: Delta[] = [];
    log.subscribe((delta) => deltas.push(delta));
    log.record(upsert('a'));
    clock.advance(0);
    expect(deltas).toHaveLength(1);
    for (let i = 0; i < 20; i += 1) {
      log.record(upsert('b', `127.0.0.1:${i + 1}`));
      clock.advance(2);
    }
    expect(deltas).toHaveLength(1);
    clock.advance(300 - 40 - 1);
    expect(deltas).toHaveLength(1);
    clock.advance(1);
    expect(deltas).toHaveLength(2);
    expect(deltas[1]?.changes).toHaveLength(1);
    const change = deltas[1]?.changes[0];
    expect(change?.op === 'upsert' ? change.instance.address : '').toBe('127.0.0.1:20');
  });

  it('says a snapshot is needed once deltas fall out of the replay window', () => {
    log = createDeltaLog({ coalesceMs: 1_000, replayCapacity: 2, clock: createManualClock() });
    for (const key of ['a', 'b', 'c', 'd']) {
      log.record(upsert(key));
      log.flush();
    }
    expect(log.deltasSince(0)).toBeNull();
    expect(log.deltasSince(2)?.map((d) => d.seq)).toEqual([3, 4]);
    expect(log.deltasSince(4)).toEqual([]);
    expect(log.deltasSince(99)).toBeNull();
  });

  it('stamps deltas with the revision and announces registry status changes, keeping `since` while the state holds', () => {
    let wall = new Date('2026-01-01T00:00:00Z');
    log = createDeltaLog({ coalesceMs: 1_000, clock: createManualClock(), now: () => wall });
    log.setRegistryStatus({ state: 'synced' });
    log.flush();
    const deltas: Delta[] = [];
    log.subscribe((delta) => deltas.push(delta));
    log.setRevision('42');
    wall = new Date('2026-01-01T00:05:00Z');
    log.setRegistryStatus({ state: 'unreachable', message: 'connection refused' });
    log.flush();
    wall = new Date('2026-01-01T00:06:00Z');
    log.setRegistryStatus({ state: 'unreachable', message: 'connection refused' });
    log.flush();
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ revision: '42', changes: [] });
    expect(deltas[0]?.registry).toEqual({ state: 'unreachable', since: '2026-01-01T00:05:00.000Z', message: 'connection refused' });
  });

  it('announces a change of phase alone, the state and message staying the same', () => {
    log = createDeltaLog({ coalesceMs: 1_000, clock: createManualClock(), now: () => new Date('2026-01-01T00:00:00Z') });
    log.setRegistryStatus({ state: 'connecting', message: 'listing' });
    log.flush();
    const deltas: Delta[] = [];
    log.subscribe((delta) => deltas.push(delta));
    log.setRegistryStatus({ state: 'connecting', phase: 'relisting', message: 'listing' });
    log.flush();
    expect(deltas.map((delta) => delta.registry)).toEqual([{ state: 'connecting', phase: 'relisting', message: 'listing', since: '2026-01-01T00:00:00.000Z' }]);
  });

  it('sends nothing after close', () => {
    const clock = createManualClock();
    log = createDeltaLog({ coalesceMs: 10, clock });
    const deltas: Delta[] = [];
    log.subscribe((delta) => deltas.push(delta));
    log.record(upsert('a'));
    log.close();
    clock.advance(100);
    expect(deltas).toHaveLength(0);
    expect(clock.pending()).toBe(0);
  });
});
