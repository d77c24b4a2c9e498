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
});
