import { describe, expect, it } from 'vitest';
import type { Lost } from '../instance';
import { checkingCause, identityKeys, isStillServingLoss, isStoppedAnsweringLoss, judgeDeparture, showWhileChecking, standInClauses, stillServingCause, stoppedAnsweringCause, type Departure } from './lost';

const base: Departure = { lease: 'gone', drained: false, lastProbe: undefined, failingSince: undefined, removedAt: '2026-12-03T09:32:41.000Z' };
const failed = { at: '2026-12-03T09:32:36.000Z', ok: false, latencyMs: 1, error: 'connection refused' };
const passed = { at: '2026-12-03T09:32:38.000Z', ok: true, latencyMs: 1 };

describe('judgeDeparture', () => {
  it('calls a lease that ran out after failing probes lost, from the first failed probe, with the last probe error as a clause of its own', () => {
    const verdict = judgeDeparture({ ...base, lastProbe: failed, failingSince: '2026-12-03T09:32:31.000Z' });
    expect(verdict).toEqual({
      lost: true,
      at: '2026-12-03T09:32:31.000Z',
      cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused',
    });
  });

  it('calls a lease that ran out on a never-probed instance lost at the removal', () => {
    expect(judgeDeparture(base)).toEqual({ lost: true, at: base.removedAt, cause: 'lease expired at 09:32:41 UTC; never probed' });
  });

  it('takes a lease gone while probes still passed as a graceful shutdown', () => {
    expect(judgeDeparture({ ...base, lastProbe: passed })).toMatchObject({ lost: false, reason: expect.stringContaining('graceful') });
  });

  it('never calls an explicit delete lost, even with failing probes', () => {
    expect(judgeDeparture({ ...base, lease: 'alive', lastProbe: failed }).lost).toBe(false);
    expect(judgeDeparture({ ...base, lease: 'none', lastProbe: failed }).lost).toBe(false);
  });

  it('never calls a revoked lease lost (it ended before it could expire: a deregistration), even with failing probes', () => {
    expect(judgeDeparture({ ...base, lease: 'revoked', lastProbe: failed })).toMatchObject({ lost: false });
  });

  it('never calls a drained instance lost', () => {
    expect(judgeDeparture({ ...base, drained: true, lastProbe: failed }).lost).toBe(false);
  });

  it('says "ended" when etcd could not say what became of the lease', () => {
    const verdict = judgeDeparture({ ...base, lease: 'unknown', lastProbe: failed });
    expect(verdict.lost && verdict.cause).toBe('lease ended at 09:32:41 UTC after probes failed from 09:32:36 UTC; last probe: connection refused');
  });
});

describe('isStillServingLoss', () => {
  it('tells a loss found still serving (stamped after its key went) from the losses judgeDeparture gives (stamped at or before it)', () => {
    expect(isStillServingLoss(stillServingCause(base, 20))).toBe(true);
    expect(isStillServingLoss(stillServingCause({ ...base, lease: 'unknown' }, 40))).toBe(true);
    for (const departure of [base, { ...base, lastProbe: failed, failingSince: '2026-12-03T09:32:31.000Z' }, { ...base, lease: 'unknown' as const, lastProbe: failed }]) {
      const verdict = judgeDeparture(departure);
      expect(verdict.lost && isStillServingLoss(verdict.cause)).toBe(false);
    }
  });
});

describe('isStoppedAnsweringLoss', () => {
  it('tells the loss of an instance out of discovery that stopped answering from every other loss', () => {
    expect(isStoppedAnsweringLoss(stoppedAnsweringCause('2026-12-03T09:32:41.000Z', '2026-12-03T09:40:00.000Z', { error: 'connection refused' }))).toBe(true);
    expect(isStoppedAnsweringLoss(stoppedAnsweringCause('2026-12-03T09:32:41.000Z', '2026-12-03T09:40:00.000Z', {}))).toBe(true);
    expect(isStoppedAnsweringLoss(stillServingCause(base, 20))).toBe(false);
    const verdict = judgeDeparture({ ...base, lastProbe: failed, failingSince: '2026-12-03T09:32:31.000Z' });
    expect(verdict.lost && isStoppedAnsweringLoss(verdict.cause)).toBe(false);
  });
});

describe('identityKeys', () => {
  const lost = { service: 'users', id: 'users-1', address: '10.0.0.1:80' };
  const same = (other: typeof lost): boolean => identityKeys(other).some((key) => identityKeys(lost).includes(key));
  it('matches the same service by id or by address, never across services', () => {
    expect(same({ service: 'users', id: 'users-1', address: '10.0.0.9:80' })).toBe(true);
    expect(same({ service: 'users', id: 'users-7', address: '10.0.0.1:80' })).toBe(true);
    expect(same({ service: 'users', id: 'users-7', address: '10.0.0.7:80' })).toBe(false);
    expect(same({ service: 'orders', id: 'users-1', address: '10.0.0.1:80' })).toBe(false);
    // An id that looks like an address is still an id.
    expect(same({ service: 'users', id: '10.0.0.1:80', address: '10.0.0.2:80' })).toBe(false);
  });
});

describe('showWhileChecking', () => {
  const at = (key: string, lost?: Lost) => ({ key, ...(lost ? { lost } : {}) });
  const loss: Lost = { at: base.removedAt, cause: 'lease expired', passingBefore: 2 };

  it('shows departures being checked when the going keys leave their service nothing registered (a mass lease expiry)', () => {
    expect(showWhileChecking([at('/s/a'), at('/s/b')], new Set(['/s/a', '/s/b']))).toBe(true);
    // Stand-ins of earlier departures are not registrations.
    expect(showWhileChecking([at('/s/a'), at('lost:/s/b', loss)], new Set(['/s/a']))).toBe(true);
  });

  it('shows nothing while another instance is still registered (a rolling restart)', () => {
    expect(showWhileChecking([at('/s/a'), at('/s/b')], new Set(['/s/a']))).toBe(false);
  });
});

describe('checkingCause', () => {
  it('says when it left and that the check runs, not that it is lost', () => {
    expect(checkingCause(base.removedAt)).toBe('left discovery at 09:32:41 UTC while its probes passed — checking whether it still serves');
  });
});

describe('standInClauses', () => {
  const at = '2026-12-07T04:22:01.000Z';
  const standIn = (lost: Partial<Lost> | undefined) => ({ lost: lost === undefined ? undefined : { at, cause: 'lease expired', passingBefore: 3, ...lost } });

  it('counts an instance still serving out of discovery as out of discovery, not lost: "lost" sends the engineer to restart a process that runs', () => {
    // The demo's lose-etcd: catalog's page header said "3 instances · 2 passing · 1 critical · 1 lost".
    expect(standInClauses([standIn(undefined), standIn(undefined), standIn({ stillServing: true })])).toEqual(['1 out of discovery']);
  });

  it('counts gone, out-of-discovery and still-checking stand-ins apart, in that order, and says nothing without any', () => {
    expect(standInClauses([standIn({}), standIn({}), standIn({ stillServing: true }), standIn({ checking: true })])).toEqual(['2 lost', '1 out of discovery', '1 left discovery, checking']);
    expect(standInClauses([standIn(undefined)])).toEqual([]);
  });
});
