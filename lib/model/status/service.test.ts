import { describe, expect, it } from 'vitest';
import type { Instance, Lost, Status } from '../instance';
import { serviceStatus } from './service';

const instance = (id: string, status: Status, extra: Partial<Instance> = {}): Instance => ({
  id,
  service: 'users',
  key: `/s/users/${id}`,
  address: `10.0.0.${id.length}:80`,
  format: 'native',
  metadata: {},
  status,
  drain: null,
  ...extra,
});
const lost = (at: string, passingBefore: number): Lost => ({ at, cause: `lease expired at ${at.slice(11, 19)} UTC`, passingBefore });
const lostInstance = (id: string, at: string, passingBefore: number): Instance => instance(id, 'critical', { lost: lost(at, passingBefore), statusCause: 'lost' });

describe('serviceStatus', () => {
  it('is passing without a cause when every instance passes', () => {
    expect(serviceStatus([instance('a', 'passing'), instance('b', 'passing')])).toEqual({ status: 'passing' });
  });

  it('is unknown "not probed yet" before any probe, and says what a probe said before the verdict', () => {
    expect(serviceStatus([instance('a', 'unknown', { statusCause: 'not probed yet' })])).toEqual({ status: 'unknown', cause: 'not probed yet' });
    const refused = instance('a', 'unknown', {
      statusCause: 'connection refused; 1 of 3 failed probes before critical',
      lastProbe: { at: '2026-12-03T09:32:31.000Z', ok: false, latencyMs: 1, error: 'connection refused' },
    });
    expect(serviceStatus([refused])).toEqual({ status: 'unknown', cause: 'no verdict yet — a: connection refused; 1 of 3 failed probes before critical' });
  });

  it('is critical with "all 2 instances lost since" when every instance is lost', () => {
    const result = serviceStatus([lostInstance('a', '2026-12-03T09:32:35.000Z', 2), lostInstance('b', '2026-12-03T09:32:31.000Z', 2)]);
    expect(result.status).toBe('critical');
    expect(result.cause).toBe('all 2 instances lost since 09:32:31 UTC — lease expired at 09:32:31 UTC');
  });

  it('is at least warning with "1 of 3 instances lost" when some are lost', () => {
    const result = serviceStatus([instance('a', 'passing'), instance('b', 'passing'), lostInstance('c', '2026-12-03T09:32:00.000Z', 3)]);
    expect(result.status).toBe('warning');
    expect(result.cause).toMatch(/^1 of 3 instances lost since 09:32:00 UTC/);
  });

  // A process still serving whose registration went (lost.stillServing) needs its etcd connection
  // fixed, not a restart: its service must not read "lost" like a crashed one.
  const serving = (id: string, at: string, passingBefore: number): Instance =>
    instance(id, 'critical', { lost: { ...lost(at, passingBefore), cause: 'lease expired at 09:32:31 UTC while it still served', stillServing: true } });

  it('says "out of discovery", not "lost", for instances still serving', () => {
    expect(serviceStatus([serving('a', '2026-12-03T09:32:31.000Z', 1)]).cause).toBe('its only instance out of discovery since 09:32:31 UTC — lease expired at 09:32:31 UTC while it still served');
    expect(serviceStatus([serving('a', '2026-12-03T09:32:31.000Z', 2), serving('b', '2026-12-03T09:32:35.000Z', 2)]).cause).toMatch(/^all 2 instances out of discovery since/);
    const partly = serviceStatus([instance('a', 'passing'), instance('b', 'passing'), serving('c', '2026-12-03T09:32:31.000Z', 3)]);
    expect([partly.status, partly.cause]).toEqual(['warning', expect.stringMatching(/^1 of 3 instances out of discovery since/)]);
  });

  it('counts both when some are gone and some still serve', () => {
    const both = serviceStatus([lostInstance('a', '2026-12-03T09:32:00.000Z', 2), serving('b', '2026-12-03T09:32:31.000Z', 2)]);
    expect(both.cause).toMatch(/^all 2 instances missing since 09:32:00 UTC, 1 lost and 1 out of discovery — lease expired at 09:32:00 UTC$/);
  });

  it('stops counting lost instances once as many pass as before (a rolling restart)', () => {
    const replaced = serviceStatus([instance('a', 'passing'), instance('b2', 'passing'), lostInstance('b', '2026-12-03T09:32:00.000Z', 2)]);
    expect(replaced).toEqual({ status: 'passing' });
  });

  it('keeps counting them while the replacement is not passing yet', () => {
    expect(serviceStatus([instance('a', 'passing'), instance('b2', 'unknown'), lostInstance('b', '2026-12-03T09:32:00.000Z', 2)]).status).toBe('warning');
  });

  it('names the failing instance and its probe cause', () => {
    const result = serviceStatus([instance('a', 'critical', { statusCause: 'HTTP 503' }), instance('b', 'passing')]);
    expect(result).toEqual({ status: 'warning', cause: '1 of 2 instances failing — a: HTTP 503' });
  });

  it('says "its only instance" for a one-instance service', () => {
    expect(serviceStatus([instance('a', 'critical', { statusCause: 'HTTP 503' })])).toEqual({ status: 'critical', cause: 'its only instance failing — a: HTTP 503' });
  });

  // A cause read at 3 a.m.: what, since when — why; detail. Parentheses inside parentheses made it a Lisp expression.
  it('nests no parentheses when an instance cause has its own', () => {
    const slow = instance('a', 'warning', { statusCause: 'error rate 30 % over 30 s (threshold 25 %)' });
    expect(serviceStatus([slow, instance('b', 'passing')]).cause).toBe('1 of 2 instances degraded — a: error rate 30 % over 30 s (threshold 25 %)');
    const gone = instance('c', 'critical', { lost: { ...lost('2026-12-03T09:32:31.000Z', 3), cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused' } });
    const failing = instance('b', 'critical', { statusCause: 'HTTP 503' });
    expect(serviceStatus([instance('a', 'passing'), failing, gone]).cause).toBe(
      '1 of 3 instances lost since 09:32:31 UTC — lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused. 1 of 3 instances failing — b: HTTP 503',
    );
  });

  // One outage, one start (lost.ts lostDownSince): "lost since" is when it went down, its verdict before the
  // key went, as its stand-in's status "since" says (lost/tracker.ts); the first failed probe is said in the
  // loss's cause, as such. As the tracker makes it: slow (warning) from 09:30:00, so failing since then.
  it('says lost since the verdict an instance had before its key went, not the warning before it, and its first failed probe as such in the cause', () => {
    const gone = instance('c', 'critical', {
      statusSince: '2026-12-03T09:32:39.000Z',
      failingSince: '2026-12-03T09:30:00.000Z',
      lost: { ...lost('2026-12-03T09:32:31.000Z', 2), cause: 'lease expired at 09:32:49 UTC after probes failed from 09:32:31 UTC; last probe: connection refused' },
    });
    expect(serviceStatus([gone]).cause).toBe('its only instance lost since 09:32:39 UTC — lease expired at 09:32:49 UTC after probes failed from 09:32:31 UTC; last probe: connection refused');
  });

  // Back in etcd after their loss (lost/tracker.ts holdUntilProbed): held critical, but nothing has
  // said they fail — "failing" there was a guess, and the loss hid two levels down.
  const back = (id: string): Instance =>
    instance(id, 'critical', {
      statusCauseKind: 'lost',
      statusCause: 'registered again with no probe verdict yet — lost: lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused',
    });

  it('says instances back after their loss registered again with no probe verdict yet, not failing, with the loss flat', () => {
    expect(serviceStatus([back('payments-1'), back('payments-2')])).toEqual({
      status: 'critical',
      cause: 'all 2 instances registered again with no probe verdict yet — payments-1 lost: lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused',
    });
    expect(serviceStatus([back('payments-1'), instance('payments-2', 'critical', { statusCause: 'HTTP 503' })]).cause).toBe(
      '1 of 2 instances failing, 1 of 2 instances registered again with no probe verdict yet — payments-2: HTTP 503',
    );
    expect(serviceStatus([back('payments-1'), instance('payments-2', 'passing')]).cause).toMatch(/^1 of 2 instances registered again with no probe verdict yet — payments-1 lost: lease expired/);
  });

  it('counts a lost service as critical even when its only instance was never probed', () => {
    expect(serviceStatus([lostInstance('a', '2026-12-03T09:32:00.000Z', 1)]).status).toBe('critical');
  });
});

describe('serviceStatus, departures still being checked (lost.checking)', () => {
  const checking = (id: string, at: string): Instance =>
    instance(id, 'unknown', { lost: { at, cause: 'left discovery — checking whether it still serves', passingBefore: 2, checking: true }, lastProbe: { at, ok: true, latencyMs: 1 } });

  it('is unknown, not critical, saying the check runs, when every instance listed is one', () => {
    expect(serviceStatus([checking('a', '2026-12-03T09:32:41.000Z'), checking('b', '2026-12-03T09:32:40.000Z')])).toEqual({
      status: 'unknown',
      cause: 'all 2 instances left discovery at 09:32:40 UTC while passing — checking whether they still serve',
    });
    expect(serviceStatus([checking('a', '2026-12-03T09:32:41.000Z')]).cause).toBe('its only instance left discovery at 09:32:41 UTC while passing — checking whether it still serves');
  });

  it('counts for nothing beside instances registered or ruled lost', () => {
    expect(serviceStatus([instance('a2', 'passing'), checking('a', '2026-12-03T09:32:41.000Z')])).toEqual({ status: 'passing' });
    expect(serviceStatus([lostInstance('b', '2026-12-03T09:32:00.000Z', 2), checking('a', '2026-12-03T09:32:41.000Z')]).cause).toMatch(/^its only instance lost since 09:32:00 UTC/);
  });
});
