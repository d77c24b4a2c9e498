import { describe, expect, it } from 'vitest';
import { STORE_DIALECTS, useTestHistory } from '@/tests/support/store-dialects';
import { createAckStore } from './ack-store';

const T0 = Date.parse('2026-12-03T09:00:00Z');

describe.each(STORE_DIALECTS)('alert acknowledgements on %s', (dialect) => {
  const history = useTestHistory(dialect);

  it('keeps one active acknowledgement per alert, lists it until it ends, and ends it only once', async () => {
    const acks = createAckStore(history().db);
    const first = await acks.create({ alertname: 'ServiceCritical', service: 'payments', reason: 'on it' }, 'ops', T0);
    expect(first).toMatchObject({ alertname: 'ServiceCritical', service: 'payments', reason: 'on it', by: 'ops', at: new Date(T0).toISOString() });
    // A second operator (maybe on another replica) at the same moment: refused, not a second row.
    expect(await acks.create({ alertname: 'ServiceCritical', service: 'payments' }, 'ops-2', T0 + 1)).toBeUndefined();
    const other = await acks.create({ alertname: 'InstancesLost', service: 'payments' }, 'token:ci', T0 + 2);
    expect(other?.reason).toBeUndefined();
    expect((await acks.active()).map((ack) => ack.id)).toEqual([other?.id, first?.id]);
    expect((await acks.find(first?.id ?? ''))?.service).toBe('payments');
    expect((await acks.end(first?.id ?? '', 'ops-2', T0 + 3))?.id).toBe(first?.id);
    expect(await acks.end(first?.id ?? '', 'ops-2', T0 + 4)).toBeUndefined();
    expect(await acks.find(first?.id ?? '')).toBeUndefined();
    // Its alert resolved: ended by nobody.
    await acks.end(other?.id ?? '', undefined, T0 + 5);
    expect(await acks.active()).toEqual([]);
    // Once ended, the alert may be acknowledged again (its next firing).
    expect(await acks.create({ alertname: 'ServiceCritical', service: 'payments' }, 'ops', T0 + 6)).toBeDefined();
  });

  it('keeps the severity acknowledged, and reads a row without one (taken before it was stored) as covering either', async () => {
    const acks = createAckStore(history().db);
    const taken = await acks.create({ alertname: 'InstancesLost', service: 'payments', severity: 'critical' }, 'ops', T0);
    expect(taken?.severity).toBe('critical');
    const older = await acks.create({ alertname: 'InstancesLost', service: 'search' }, 'ops', T0 + 1);
    expect(older).not.toHaveProperty('severity');
    expect((await acks.active()).map((ack) => `${ack.service} ${ack.severity ?? '-'}`)).toEqual(['search -', 'payments critical']);
    expect((await acks.find(taken?.id ?? ''))?.severity).toBe('critical');
  });

  it('tells which acknowledgement ids are its own, active or ended, among many', async () => {
    const acks = createAckStore(history().db);
    const active = await acks.create({ alertname: 'ServiceCritical', service: 'payments' }, 'ops', T0);
    const ended = await acks.create({ alertname: 'ServiceCritical', service: 'search' }, 'ops', T0);
    await acks.end(ended?.id ?? '', undefined, T0 + 1);
    const foreign = Array.from({ length: 1_200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const asked = [...foreign.slice(0, 700), active?.id ?? '', ...foreign.slice(700), ended?.id ?? ''];
    expect(await acks.owned(asked)).toEqual(new Set([active?.id, ended?.id]));
    expect(await acks.owned([])).toEqual(new Set());
  });
});
