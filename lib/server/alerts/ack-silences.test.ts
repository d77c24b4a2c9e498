import { describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/model/alerts/engine';
import { ACK_SILENCE_MS, planSilences, wantedSilence, type GettableSilence } from './ack-silences';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const ACK_ID = '6f1c2a9e-0d4b-4c1e-9a7f-2b3c4d5e6f70';
const OTHER_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const INSTALL = 'a1a1a1a1-0000-4000-8000-000000000001';
const OTHER_INSTALL = 'b2b2b2b2-0000-4000-8000-000000000002';
/** This install, with no silences of the previous format among its own unless told. */
const owner = (legacyAcks: readonly string[] = []) => ({ installId: INSTALL, legacyAcks: new Set(legacyAcks) });

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

/** A silence an install made for an acknowledgement; `install` null: the previous format, without it. */
const silence = (id: string, ackId: string, endsAtMs: number, state = 'active', install: string | null = INSTALL): GettableSilence => ({
  id,
  status: { state },
  comment: `Acknowledged in Switchyard: failing over (ack ${ackId}${install !== null ? `, switchyard ${install}` : ''})`,
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
      reason: 'failing over',
    });
    const { acknowledged: _acknowledged, ...unacknowledged } = firing;
    expect(wantedSilence(unacknowledged)).toBeUndefined();
    expect(wantedSilence({ ...firing, state: 'resolved' })).toBeUndefined();
  });

  it('match a ServiceFlapping by its severity too: a warning\u2019s acknowledgement must not mute the critical alert it gives way to', () => {
    const flapping: AlertView = { ...firing, key: 'ServiceFlapping\u0000orders\u0000warning', labels: { alertname: 'ServiceFlapping', service: 'orders', severity: 'warning', cause: 'flapping' } };
    expect(wantedSilence(flapping)?.matchers).toEqual([
      { name: 'alertname', value: 'ServiceFlapping', isRegex: false, isEqual: true },
      { name: 'service', value: 'orders', isRegex: false, isEqual: true },
      { name: 'severity', value: 'warning', isRegex: false, isEqual: true },
    ]);
  });

  it('creates a missing one for an hour, renews it with the same id past half-life, and expires ours that are no longer wanted', () => {
    const wanted = [wantedSilence(firing)].flatMap((want) => want ?? []);
    const created = planSilences([], wanted, T0, owner());
    expect(created.expire).toEqual([]);
    expect(created.post).toEqual([
      expect.objectContaining({ startsAt: new Date(T0).toISOString(), endsAt: new Date(T0 + ACK_SILENCE_MS).toISOString(), createdBy: 'ops', comment: `Acknowledged in Switchyard: failing over (ack ${ACK_ID}, switchyard ${INSTALL})` }),
    ]);
    expect(created.post[0]).not.toHaveProperty('id');

    const live = silence('s-1', ACK_ID, T0 + ACK_SILENCE_MS);
    expect(planSilences([live], wanted, T0 + 29 * 60_000, owner())).toEqual({ post: [], expire: [] });
    const renewed = planSilences([live], wanted, T0 + 31 * 60_000, owner());
    expect(renewed.post).toEqual([{ id: 's-1', matchers: live.matchers, startsAt: live.startsAt, endsAt: new Date(T0 + 31 * 60_000 + ACK_SILENCE_MS).toISOString(), createdBy: 'ops', comment: live.comment }]);

    // Resolved or withdrawn: nothing wanted, ours expired; a duplicate goes too; others' silences and expired ones are left alone.
    const someoneElses = { ...silence('s-9', ACK_ID, T0 + ACK_SILENCE_MS), comment: 'maintenance' };
    const expired = silence('s-3', OTHER_ID, T0, 'expired');
    expect(planSilences([live, someoneElses, expired, silence('s-2', OTHER_ID, T0 + ACK_SILENCE_MS)], [], T0 + 60_000, owner())).toEqual({ post: [], expire: ['s-1', 's-2'] });
    expect(planSilences([live, silence('s-4', ACK_ID, T0 + ACK_SILENCE_MS)], wanted, T0 + 60_000, owner())).toEqual({ post: [], expire: ['s-4'] });
  });

  it('never touches another install’s silences, of this format or the previous one (installs sharing an Alertmanager)', () => {
    const wanted = [wantedSilence(firing)].flatMap((want) => want ?? []);
    const theirs = silence('t-1', OTHER_ID, T0 + 60_000, 'active', OTHER_INSTALL);
    // Even one naming the same acknowledgement id: the install decides, not the id.
    const theirsSameAck = silence('t-2', ACK_ID, T0 + 60_000, 'active', OTHER_INSTALL);
    const theirsOlderVersion = silence('t-3', OTHER_ID, T0 + 60_000, 'active', null);
    expect(planSilences([theirs, theirsSameAck, theirsOlderVersion], [], T0 + 31 * 60_000, owner())).toEqual({ post: [], expire: [] });
    const withOurs = planSilences([theirs, theirsSameAck, theirsOlderVersion], wanted, T0 + 31 * 60_000, owner());
    expect(withOurs.expire).toEqual([]);
    expect(withOurs.post).toEqual([expect.not.objectContaining({ id: expect.anything() })]);
  });

  it('still manages its own silences of the previous format: adopts one it wants (renewed with the install’s comment), expires one whose acknowledgement ended', () => {
    const wanted = [wantedSilence(firing)].flatMap((want) => want ?? []);
    const older = silence('s-1', ACK_ID, T0 + ACK_SILENCE_MS, 'active', null);
    expect(planSilences([older], wanted, T0 + 29 * 60_000, owner())).toEqual({ post: [], expire: [] });
    expect(planSilences([older], wanted, T0 + 31 * 60_000, owner()).post).toEqual([
      { id: 's-1', matchers: older.matchers, startsAt: older.startsAt, endsAt: new Date(T0 + 31 * 60_000 + ACK_SILENCE_MS).toISOString(), createdBy: 'ops', comment: `Acknowledged in Switchyard: failing over (ack ${ACK_ID}, switchyard ${INSTALL})` },
    ]);
    const endedOlder = silence('s-2', OTHER_ID, T0 + ACK_SILENCE_MS, 'active', null);
    expect(planSilences([endedOlder], [], T0 + 60_000, owner([OTHER_ID]))).toEqual({ post: [], expire: ['s-2'] });
    expect(planSilences([endedOlder], [], T0 + 60_000, owner())).toEqual({ post: [], expire: [] });
  });
});
