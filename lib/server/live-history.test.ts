import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { attachHistoryFeed } from './live-history';
import type { LiveServer } from './live';

/** A Socket.IO server reduced to what the feed uses: its rooms, and what each room was sent. */
function fakeServer(rooms: readonly string[]) {
  const sent = new Map<string, HistoryEvent[]>();
  const io = {
    of: () => ({ adapter: { rooms: new Map(rooms.map((room) => [room, new Set(['socket-1'])])) } }),
    to: (room: string) => ({ except: () => ({ emit: (_name: string, list: HistoryEvent[]) => sent.set(room, [...(sent.get(room) ?? []), ...list]) }) }),
  } as unknown as LiveServer;
  return { io, sent };
}

describe('attachHistoryFeed', () => {
  it('sends a service\u2019s failures feed every deregistration beside its failures: a loss\u2019s own may be none', () => {
    const { io, sent } = fakeServer(['history:failures:payments']);
    // A crash whose lease verdict etcd did not give: its loss (a failure) and its key's deregistration (none).
    const loss: HistoryEvent = { id: 500, at: '2026-12-07T04:20:00.000Z', kind: 'instance.lost', service: 'payments', instance: 'payments-1', from: 'passing', to: 'critical', detail: 'lease ended at 04:20:04 UTC after probes failed from 04:20:00 UTC; last probe: connection refused' };
    const itsDeparture: HistoryEvent = { id: 501, at: '2026-12-07T04:20:04.010Z', kind: 'instance.deregistered', service: 'payments', instance: 'payments-1', detail: 'key deleted or lease 5 ended (etcd did not answer which)' };
    const back: HistoryEvent = { id: 502, at: '2026-12-07T04:20:10.000Z', kind: 'instance.registered', service: 'payments', instance: 'payments-1', detail: 'registered' };
    const recovered: HistoryEvent = { id: 503, at: '2026-12-07T04:20:20.000Z', kind: 'health.changed', service: 'payments', instance: 'payments-1', from: 'critical', to: 'passing', detail: 'probe OK' };
    attachHistoryFeed(io).publish([loss, itsDeparture, back, recovered]);
    expect(sent.get('history:failures:payments')?.map((event) => event.id)).toEqual([500, 501]);
  });
});
