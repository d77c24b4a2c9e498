import { describe, expect, it } from 'vitest';
import { STORE_DIALECTS, useTestHistory } from '@/tests/support/store-dialects';
import { createSilenceStore } from './silence-store';

const T0 = Date.parse('2026-12-03T09:00:00Z');

describe.each(STORE_DIALECTS)('alert silences on %s', (dialect) => {
  const history = useTestHistory(dialect);

  it('lists a silence until it expires or is lifted, and lifts it only once', async () => {
    const silences = createSilenceStore(history().db);
    const forOne = await silences.create({ service: 'payments', alertname: 'ServiceCritical', reason: 'failover drill', durationSeconds: 600 }, 'ops', T0);
    const forAll = await silences.create({ service: 'search', reason: 'reindex', durationSeconds: 60 }, 'token:ci', T0 + 1);
    expect(forOne).toMatchObject({ service: 'payments', alertname: 'ServiceCritical', by: 'ops', until: new Date(T0 + 600_000).toISOString() });
    expect((await silences.active(T0 + 2)).map((silence) => silence.id)).toEqual([forAll.id, forOne.id]);
    expect((await silences.active(T0 + 61_000)).map((silence) => silence.id)).toEqual([forOne.id]);
    expect((await silences.end(forOne.id, 'ops-2', T0 + 62_000))?.reason).toBe('failover drill');
    expect(await silences.end(forOne.id, 'ops-2', T0 + 63_000)).toBeUndefined();
    expect(await silences.active(T0 + 63_000)).toEqual([]);
  });

  it('finds one active silence by id (for the scope check before lifting), not an expired or lifted one', async () => {
    const silences = createSilenceStore(history().db);
    const silence = await silences.create({ service: 'payments', reason: 'drill', durationSeconds: 60 }, 'ops', T0);
    expect((await silences.find(silence.id, T0 + 1))?.service).toBe('payments');
    expect(await silences.find(silence.id, T0 + 60_000)).toBeUndefined();
    await silences.end(silence.id, 'ops', T0 + 2);
    expect(await silences.find(silence.id, T0 + 3)).toBeUndefined();
  });
});
