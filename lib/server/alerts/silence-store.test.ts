import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STORE_DIALECTS, useTestHistory } from '@/tests/support/store-dialects';
import type { Silence } from '@/lib/model/alerts/silences';
import { createSilenceStore, MAX_ACTIVE_SILENCES, MAX_SERVICE_SILENCES, type SilenceCreation } from './silence-store';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const HOUR_MS = 3_600_000;

function created(creation: SilenceCreation): Silence {
  if (!creation.ok) throw new Error(`silence refused: ${creation.message}`);
  return creation.silence;
}

describe.each(STORE_DIALECTS)('alert silences on %s', (dialect) => {
  const history = useTestHistory(dialect);

  it('lists a silence until it expires or is lifted, and lifts it only once', async () => {
    const silences = createSilenceStore(history().db, dialect);
    const forOne = created(await silences.create({ service: 'payments', alertname: 'ServiceCritical', reason: 'failover drill', durationSeconds: 600 }, 'ops', T0));
    const forAll = created(await silences.create({ service: 'search', reason: 'reindex', durationSeconds: 60 }, 'token:ci', T0 + 1));
    expect(forOne).toMatchObject({ service: 'payments', alertname: 'ServiceCritical', by: 'ops', until: new Date(T0 + 600_000).toISOString() });
    expect((await silences.active(T0 + 2)).map((silence) => silence.id)).toEqual([forAll.id, forOne.id]);
    expect((await silences.active(T0 + 61_000)).map((silence) => silence.id)).toEqual([forOne.id]);
    expect((await silences.end(forOne.id, 'ops-2', T0 + 62_000))?.reason).toBe('failover drill');
    expect(await silences.end(forOne.id, 'ops-2', T0 + 63_000)).toBeUndefined();
    expect(await silences.active(T0 + 63_000)).toEqual([]);
  });

  it('finds one active silence by id (for the scope check before lifting), not an expired or lifted one', async () => {
    const silences = createSilenceStore(history().db, dialect);
    const silence = created(await silences.create({ service: 'payments', reason: 'drill', durationSeconds: 60 }, 'ops', T0));
    expect((await silences.find(silence.id, T0 + 1))?.service).toBe('payments');
    expect(await silences.find(silence.id, T0 + 60_000)).toBeUndefined();
    await silences.end(silence.id, 'ops', T0 + 2);
    expect(await silences.find(silence.id, T0 + 3)).toBeUndefined();
  });

  /** `count` one-hour silences, one per service `svc-<i>`, written straight to the table (as a busy fleet's would be). */
  const fill = async (count: number, fromMs: number, prefix = 'svc'): Promise<void> => {
    const rows = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), service: `${prefix}-${i}`, alertname: null, reason: 'bulk', created_by: 'ops', created_ms: fromMs + i, until_ms: fromMs + HOUR_MS, ended_ms: null, ended_by: null }));
    for (let start = 0; start < rows.length; start += 200) await history().db.insertInto('alert_silences').values(rows.slice(start, start + 200)).execute();
  };

  it(`refuses a silence past ${MAX_ACTIVE_SILENCES} active ones, and lists every active one (the oldest too)`, async () => {
    const silences = createSilenceStore(history().db, dialect);
    const oldest = created(await silences.create({ service: 'late-svc', reason: 'a week of migration', durationSeconds: 7 * 86_400 }, 'ops', T0));
    await fill(MAX_ACTIVE_SILENCES - 1, T0 + 1);
    const refused = await silences.create({ service: 'late-ctl', reason: 'one too many', durationSeconds: 600 }, 'ops', T0 + 5_000);
    expect(refused).toEqual({ ok: false, message: `${MAX_ACTIVE_SILENCES} silences are active, the most held at once: lift one or wait for one to end` });
    const active = await silences.active(T0 + 5_000);
    expect(active).toHaveLength(MAX_ACTIVE_SILENCES);
    expect(active.at(-1)?.id).toBe(oldest.id);
    // A place freed by lifting one, or by silences ending, is taken again.
    await silences.end(active[0]?.id ?? '', 'ops', T0 + 6_000);
    expect((await silences.create({ service: 'late-ctl', reason: 'now there is room', durationSeconds: 600 }, 'ops', T0 + 7_000)).ok).toBe(true);
    expect((await silences.create({ service: 'late-ctl', reason: 'full again', durationSeconds: 600 }, 'ops', T0 + 8_000)).ok).toBe(false);
    expect((await silences.create({ service: 'late-ctl', reason: 'the hour ones ended', durationSeconds: 600 }, 'ops', T0 + HOUR_MS + 1)).ok).toBe(true);
  });

  it(`refuses a service’s silence past ${MAX_SERVICE_SILENCES} of its own, so one service cannot fill the cap for the others`, async () => {
    const silences = createSilenceStore(history().db, dialect);
    for (let i = 0; i < MAX_SERVICE_SILENCES; i++) created(await silences.create({ service: 'payments', reason: `drill ${i}`, durationSeconds: 600 }, 'token:payments-ci', T0 + i));
    expect(await silences.create({ service: 'payments', reason: 'one more', durationSeconds: 600 }, 'token:payments-ci', T0 + 1_000)).toEqual({
      ok: false,
      message: `payments has ${MAX_SERVICE_SILENCES} active silences, the most one service may hold: lift one or wait for one to end`,
    });
    expect((await silences.create({ service: 'search', reason: 'reindex', durationSeconds: 600 }, 'ops', T0 + 1_000)).ok).toBe(true);
  });

  it('takes the last places once each when creations race (replicas share the database)', async () => {
    const silences = createSilenceStore(history().db, dialect);
    // Each racer its own store, as each replica has its own.
    await fill(MAX_ACTIVE_SILENCES - 5, T0);
    const racers = Array.from({ length: 40 }, (_, i) => createSilenceStore(history().db, dialect).create({ service: `racer-${i}`, reason: 'race', durationSeconds: 600 }, 'ops', T0 + 1_000));
    const outcomes = await Promise.all(racers);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(5);
    expect(await silences.active(T0 + 1_000)).toHaveLength(MAX_ACTIVE_SILENCES);
  });

  it('lists every active silence even past the cap (a store filled before there was one)', async () => {
    const silences = createSilenceStore(history().db, dialect);
    await fill(MAX_ACTIVE_SILENCES + 200, T0);
    const active = await silences.active(T0 + 1_000);
    expect(active).toHaveLength(MAX_ACTIVE_SILENCES + 200);
    expect(active.at(-1)?.service).toBe('svc-0');
  });
});
