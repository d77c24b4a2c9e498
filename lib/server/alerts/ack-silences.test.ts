import { describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/model/alerts/engine';
import { ACK_SILENCE_MS, planSilences, wantedSilence, type GettableSilence } from './ack-silences';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const ACK_ID = '6f1c2a9e-0d4b-4c1e-9a7f-2b3c4d5e6f70';
const OTHER_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const firing: AlertView = {
  key: 'ServiceCritical\u0000payments',
  labels: { alertname: 'ServiceCritical', service: 'payments', severity: 'critical', cause: 'probe', instance: 'payments-1' },
  summary: 'payments is critical',
  description: 'HTTP 503',
  path: '/services/payments',
  state: 'firing',
  activeSince: new Date(T0).toISOString(),
  notified: true,
  acknowledged: { id: ACK_ID, alertname: 'ServiceCritical', service: 'payments', reason: 'failing over', by: 'ops', at: new Date(T0).toISOString() },
};

const silence = (id: string, ackId: string, endsAtMs: number, state = 'active'): GettableSilence => ({
  id,
  status: { state },
  comment: `Acknowledged in Switchyard: failing over (ack ${ackId})`,
  createdBy: 'ops',
  startsAt: new Date(T0).toISOString(),
  endsAt: new Date(endsAtMs).toISOString(),
  matchers: [{ name: 'alertname', value: 'ServiceCritical', isRegex: false, isEqual: true }],
});

describe('acknowledgement silences in Alertmanager', () => {
  it('match the alert’s identifying labels, by the operator, saying why', () => {
    expect(wantedSilence(firing)).toEqual({
      ackId: ACK_ID,
      matchers: [
        { name: 'alertname', value: 'ServiceCritical', isRegex: false, isEqual: true },
        { name: 'service', value: 'payments', isRegex: false, isEqual: true },
        { name: 'instance', value: 'payments-1', isRegex: false, isEqual: true },
      ],
      createdBy: 'ops',
      comment: `Acknowledged in Switchyard: failing over (ack ${ACK_ID})`,
    });
    const { acknowledged: _acknowledged, ...unacknowledged } = firing;
    expect(wantedSilence(unacknowledged)).toBeUndefined();
    expect(wantedSilence({ ...firing, state: 'resolved' })).toBeUndefined();
  });

  it('creates a missing one for an hour, renews it with the same id past half-life, and expires ours that are no longer wanted', () => {
    const wanted = [wantedSilence(firing)].flatMap((want) => want ?? []);
    const created = planSilences([], wanted, T0);
    expect(created.expire).toEqual([]);
    expect(created.post).toEqual([expect.objectContaining({ startsAt: new Date(T0).toISOString(), endsAt: new Date(T0 + ACK_SILENCE_MS).toISOString(), createdBy: 'ops' })]);
    expect(created.post[0]).not.toHaveProperty('id');

    const live = silence('s-1', ACK_ID, T0 + ACK_SILENCE_MS);
    expect(planSilences([live], wanted, T0 + 29 * 60_000)).toEqual({ post: [], expire: [] });
    const renewed = planSilences([live], wanted, T0 + 31 * 60_000);
    expect(renewed.post).toEqual([{ id: 's-1', matchers: live.matchers, startsAt: live.startsAt, endsAt: new Date(T0 + 31 * 60_000 + ACK_SILENCE_MS).toISOString(), createdBy: 'ops', comment: live.comment }]);

    // Resolved or withdrawn: nothing wanted, ours expired; a duplicate goes too; others' silences and expired ones are left alone.
    const someoneElses = { ...silence('s-9', ACK_ID, T0 + ACK_SILENCE_MS), comment: 'maintenance' };
    const expired = silence('s-3', OTHER_ID, T0, 'expired');
    expect(planSilences([live, someoneElses, expired, silence('s-2', OTHER_ID, T0 + ACK_SILENCE_MS)], [], T0 + 60_000)).toEqual({ post: [], expire: ['s-1', 's-2'] });
    expect(planSilences([live, silence('s-4', ACK_ID, T0 + ACK_SILENCE_MS)], wanted, T0 + 60_000)).toEqual({ post: [], expire: ['s-4'] });
  });
});
