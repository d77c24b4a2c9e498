import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { uptimeFollower, uptimeRefetchGapMs } from './uptimeFollow';

let nextId = 1;
const row = (instance: string, to: string, service = 'payments'): HistoryEvent => ({ id: nextId++, at: '2026-12-07T18:00:00.000Z', kind: 'health.changed', service, instance, to, detail: 'probe' });

function follow() {
  let requests = 0;
  const follower = uptimeFollower('payments', () => (requests += 1));
  return { follower, requests: () => requests };
}

describe('uptimeFollower (when the service page asks for its uptime again)', () => {
  it('asks once per change of the service’s status, not once per row, in a storm of 1,000 instance rows', () => {
    const { follower, requests } = follow();
    follower.status({ status: 'critical', lost: 0 });
    // 500 instances flapping under a service that stays critical: its uptime moves with each, the page's status does not.
    for (let flap = 0; flap < 1_000; flap += 1) follower.events([row(`i-${flap % 500}`, flap % 2 === 0 ? 'passing' : 'critical')]);
    expect(requests()).toBe(0);
    follower.status({ status: 'critical', lost: 2 });
    // Once as the status moves (rows of it have come), once more on the next row, which may be the one that moved it.
    expect(requests()).toBe(1);
    for (let flap = 0; flap < 1_000; flap += 1) follower.events([row(`i-${flap % 500}`, 'critical')]);
    expect(requests()).toBe(2);
  });

  it('asks when the status moved before its row lands, on that row', () => {
    const { follower, requests } = follow();
    follower.status({ status: 'passing', lost: 0 });
    follower.status({ status: 'critical', lost: 0 });
    expect(requests()).toBe(0);
    follower.events([row('a', 'critical')]);
    expect(requests()).toBe(1);
    follower.events([row('b', 'critical')]);
    expect(requests()).toBe(1);
  });

  it('ignores other services’ rows and rows that change no status', () => {
    const { follower, requests } = follow();
    follower.status({ status: 'passing', lost: 0 });
    follower.status({ status: 'warning', lost: 0 });
    follower.events([row('a', 'critical', 'orders'), { id: nextId++, at: '2026-12-07T18:00:00.000Z', kind: 'alert.fired', service: 'payments', detail: 'x' }]);
    expect(requests()).toBe(0);
  });
});

describe('uptimeRefetchGapMs', () => {
  it('spaces requests by twice the last one’s duration, at least 2 s, longer for the 7 d and 30 d windows', () => {
    expect(uptimeRefetchGapMs('24h', 100)).toBe(2_000);
    expect(uptimeRefetchGapMs('24h', 5_000)).toBe(10_000);
    expect(uptimeRefetchGapMs('7d', 100)).toBe(10_000);
    expect(uptimeRefetchGapMs('30d', 100)).toBe(30_000);
    expect(uptimeRefetchGapMs('30d', 52_000)).toBe(104_000);
  });
});
