import { describe, expect, it, vi } from 'vitest';
import type { HistoryEvent } from './events';
import { lossDepartureDetail, lossDepartures } from './loss-departures';

// Rows as the demo wrote them for payments (2026-12-07, GET /api/v1/events): `--scenario service-down`
// (both instances killed: each lost from its first failed probe, then its key's lease ended) ...
const crashed: HistoryEvent[] = [
  { id: 72, at: '2026-12-07T03:59:40.824Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:42157', from: 'passing', to: 'critical', detail: 'lease expired at 03:59:44 UTC after probes failed from 03:59:40 UTC; last probe: connection refused' },
  { id: 70, at: '2026-12-07T03:59:41.648Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:42479', from: 'passing', to: 'critical', detail: 'lease expired at 03:59:44 UTC after probes failed from 03:59:41 UTC; last probe: connection refused' },
  { id: 69, at: '2026-12-07T03:59:44.439Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42479', detail: 'lease 7017349628100375882 ended (revoked or expired)' },
  { id: 71, at: '2026-12-07T03:59:44.441Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42157', detail: 'lease 7017349628100375884 ended (revoked or expired)' },
];
// ... and `--scenario lose-etcd` (keep-alive stopped: its lease ended while its probes passed, and its check found it serving 20 s later).
const cutOff: HistoryEvent[] = [
  { id: 169, at: '2026-12-07T04:01:33.149Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:45625', detail: 'lease 3734225499776043598 ended (revoked or expired)' },
  { id: 170, at: '2026-12-07T04:01:53.157Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:45625', from: 'passing', to: 'critical', detail: 'lease expired at 04:01:33 UTC while it still served: it answered probes 20 s later, but is out of discovery' },
];
const [cutOffDeparture] = cutOff;

describe('lossDepartures', () => {
  it('pairs a crashed instance\u2019s loss, stamped at its first failed probe, with the deregistration after it', () => {
    expect(lossDepartures(crashed)).toEqual(new Set([69, 71]));
    expect(lossDepartures([...crashed].reverse())).toEqual(new Set([69, 71]));
  });

  it('pairs a never-probed loss with its deregistration stamped the same millisecond, either id first', () => {
    // Never probed: the loss is stamped at the key's removal, and etcd may answer on the lease within the millisecond.
    const at = '2026-12-07T04:05:00.123Z';
    const loss: HistoryEvent = { id: 401, at, kind: 'instance.lost', service: 'payments', instance: 'payments-3', from: 'unknown', to: 'critical', detail: 'lease expired at 04:05:00 UTC; never probed' };
    const departure: HistoryEvent = { id: 400, at, kind: 'instance.deregistered', service: 'payments', instance: 'payments-3', detail: 'lease 42 ended (revoked or expired)' };
    expect(lossDepartures([loss, departure])).toEqual(new Set([400]));
    expect(lossDepartures([{ ...loss, id: 399 }, departure])).toEqual(new Set([400]));
  });

  it('pairs a loss found still serving, stamped when its check ended, with the deregistration before it', () => {
    expect(lossDepartures(cutOff)).toEqual(new Set([169]));
  });

  it('pairs nothing while the departure is still being checked, nor for a deregistration with no loss', () => {
    expect(lossDepartures(cutOff.slice(0, 1))).toEqual(new Set());
    expect(lossDepartures(crashed.filter((event) => event.kind === 'instance.deregistered'))).toEqual(new Set());
  });

  it('pairs each loss with its own departure, not the same instance\u2019s earlier or later one', () => {
    // The cut-off instance rejoins etcd (the scenario's end) and crashes later: that loss, stamped
    // at its first failed probe, is the later departure's; the still-serving one stays the earlier's.
    const later: HistoryEvent[] = [
      { id: 180, at: '2026-12-07T04:02:40.000Z', kind: 'instance.registered', service: 'payments', instance: '127.0.0.1:45625', detail: 'registered' },
      { id: 190, at: '2026-12-07T04:03:10.500Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:45625', from: 'passing', to: 'critical', detail: 'lease expired at 04:03:14 UTC after probes failed from 04:03:10 UTC; last probe: connection refused' },
      { id: 191, at: '2026-12-07T04:03:14.200Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:45625', detail: 'lease 3734225499776043777 ended (revoked or expired)' },
    ];
    expect(lossDepartures([...cutOff, ...later])).toEqual(new Set([169, 191]));
    // Without its check's verdict yet, the earlier departure is not the later loss's.
    expect(lossDepartures([cutOffDeparture as HistoryEvent, ...later])).toEqual(new Set([191]));
  });

  it('pairs nothing with an out-of-discovery instance\u2019s later loss when it stops answering: its departure is already paired', () => {
    // Cut off from etcd, serving on (169, 170), then its process died (200): the same departure, its
    // second loss row. Registered again and shut down gracefully later (210, 211): that lease's end is no loss's.
    const stoppedThenBack: HistoryEvent[] = [
      { id: 200, at: '2026-12-07T04:05:00.000Z', kind: 'instance.lost', service: 'payments', instance: '127.0.0.1:45625', from: 'critical', to: 'critical', detail: 'stopped answering probes at 04:05:00 UTC, after it left discovery at 04:01:33 UTC; last probe: connection refused' },
      { id: 210, at: '2026-12-07T04:10:00.000Z', kind: 'instance.registered', service: 'payments', instance: '127.0.0.1:45625', detail: 'registered' },
      { id: 211, at: '2026-12-07T04:50:00.000Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:45625', detail: 'lease 3734225499776043999 ended (revoked or expired)' },
    ];
    expect(lossDepartures([...cutOff, ...stoppedThenBack])).toEqual(new Set([169]));
  });

  it('does not give a loss whose own deregistration is no lease expiry (etcd did not answer) another departure', () => {
    const unanswered: HistoryEvent[] = [
      { ...(crashed[0] as HistoryEvent), detail: 'lease ended at 03:59:44 UTC after probes failed from 03:59:40 UTC; last probe: connection refused' },
      { ...(crashed[3] as HistoryEvent), detail: 'key deleted or lease 7017349628100375884 ended (etcd did not answer which)' },
      { id: 300, at: '2026-12-07T04:10:00.000Z', kind: 'instance.deregistered', service: 'payments', instance: '127.0.0.1:42157', detail: 'lease 7017349628100375999 ended (revoked or expired)' },
    ];
    expect(lossDepartures(unanswered)).toEqual(new Set());
  });

  it('keeps instances apart: another instance\u2019s loss pairs nothing of this one', () => {
    const other = cutOff.map((event) => (event.kind === 'instance.lost' ? { ...event, instance: '127.0.0.1:37533' } : event));
    expect(lossDepartures(other)).toEqual(new Set());
  });

  it('reads each row\u2019s time once, however many departures an instance has (a crash loop\u2019s thousands)', () => {
    // A crash loop, restarted every 30 s for a day and a half: its loss at its first failed probe, its key's removal 4 s later.
    const cycles = 4_000;
    const T0 = Date.parse('2026-12-07T00:00:00.000Z');
    const loop: HistoryEvent[] = [];
    for (let i = 0; i < cycles; i++) {
      const lostMs = T0 + i * 30_000;
      loop.push({ id: 2 * i, at: new Date(lostMs).toISOString(), kind: 'instance.lost', service: 'payments', instance: 'payments-1', from: 'passing', to: 'critical', detail: 'lease expired at 00:00:04 UTC after probes failed from 00:00:00 UTC; last probe: connection refused' });
      loop.push({ id: 2 * i + 1, at: new Date(lostMs + 4_000).toISOString(), kind: 'instance.deregistered', service: 'payments', instance: 'payments-1', detail: `lease ${i} ended (revoked or expired)` });
    }
    const parse = vi.spyOn(Date, 'parse');
    try {
      const paired = lossDepartures(loop.reverse());
      expect(paired.size).toBe(cycles);
      expect(parse.mock.calls.length).toBeLessThanOrEqual(loop.length);
    } finally {
      parse.mockRestore();
    }
  });

  it('words a paired deregistration as no removal on purpose, its own detail kept', () => {
    expect(lossDepartureDetail('lease 7017349628100375882 ended (revoked or expired)')).toBe('key gone with its loss, not removed on purpose — lease 7017349628100375882 ended (revoked or expired)');
  });
});
