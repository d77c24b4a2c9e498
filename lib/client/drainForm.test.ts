import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { bulkPreview, bulkValues, describeSeconds, drainStateOf, guardRefuses, ttlFrom } from './drainForm';

const inst = (id: string, over: Partial<Instance> = {}): Instance => ({
  id,
  service: 'pay',
  key: `/services/pay/${id}`,
  address: '10.0.0.1:80',
  format: 'native',
  metadata: {},
  status: 'passing',
  drain: null,
  ...over,
});
const drain = { by: 'alice', reason: 'deploy', at: '2025-01-01T00:00:00Z' };

describe('ttlFrom', () => {
  it('maps presets, with "until lifted" as no TTL', () => {
    expect(ttlFrom('15m', '', 'min')).toEqual({ ok: true, ttlSeconds: 900 });
    expect(ttlFrom('1h', '', 'min')).toEqual({ ok: true, ttlSeconds: 3600 });
    expect(ttlFrom('lifted', '', 'min')).toEqual({ ok: true, ttlSeconds: undefined });
  });
  it('reads a custom amount in its unit, decimals and commas included', () => {
    expect(ttlFrom('custom', '90', 'min')).toEqual({ ok: true, ttlSeconds: 5400 });
    expect(ttlFrom('custom', '1,5', 'h')).toEqual({ ok: true, ttlSeconds: 5400 });
    expect(ttlFrom('custom', '2', 'd')).toEqual({ ok: true, ttlSeconds: 172_800 });
  });
  it.each([[''], ['0'], ['-3'], ['abc']])('refuses %j', (amount) => {
    expect(ttlFrom('custom', amount, 'min').ok).toBe(false);
  });
  it('keeps within the server bounds (10 s … 30 d)', () => {
    expect(ttlFrom('custom', '0.1', 'min').ok).toBe(false);
    expect(ttlFrom('custom', '31', 'd').ok).toBe(false);
    expect(ttlFrom('custom', '30', 'd').ok).toBe(true);
  });
});

describe('formatting', () => {
  it('says durations', () => {
    expect(describeSeconds(900)).toBe('15 min');
    expect(describeSeconds(5400)).toBe('1 h 30 min');
    expect(describeSeconds(86_400 * 2)).toBe('2 d');
    expect(describeSeconds(30)).toBe('30 s');
  });
});

describe('drain state and guard', () => {
  it('treats a drain without a monitor verdict as draining', () => {
    expect(drainStateOf(inst('a'))).toBeNull();
    expect(drainStateOf(inst('a', { drain }))).toBe('draining');
    expect(drainStateOf(inst('a', { drain, drainState: 'no-traffic-data' }))).toBe('no-traffic-data');
  });
  it('refuses, like the server, only when a passing instance leaves and none passing stays', () => {
    const all = [inst('a'), inst('b', { drain }), inst('c', { status: 'critical' })];
    expect(guardRefuses(all, [all[0] as Instance])).toBe(true);
    expect(guardRefuses(all, [all[2] as Instance])).toBe(false);
    expect(guardRefuses([...all, inst('d')], [all[0] as Instance])).toBe(false);
  });
});

describe('bulk drains', () => {
  const fleet = [
    inst('p-1', { zone: 'z1', version: '1.0' }),
    inst('p-2', { zone: 'z1', version: '1.1', drain }),
    inst('p-3', { zone: 'z2', version: '1.1' }),
    inst('p-4', { zone: 'z1', version: '1.0', status: 'critical' }),
  ];
  it('lists values with counts, in name order, ignoring instances without one', () => {
    expect(bulkValues(fleet, 'zone')).toEqual([
      { value: 'z1', total: 3, undrained: 2 },
      { value: 'z2', total: 1, undrained: 1 },
    ]);
    expect(bulkValues([inst('x')], 'version')).toEqual([]);
  });
  it('previews targets, the already drained, and the guard outcome', () => {
    const z1 = bulkPreview(fleet, 'zone', 'z1');
    expect(z1.targets.map((i) => i.id)).toEqual(['p-1', 'p-4']);
    expect(z1.alreadyDrained.map((i) => i.id)).toEqual(['p-2']);
    expect(z1.passingAfter).toBe(1);
    expect(z1.guardRefuses).toBe(false);
    const v11 = bulkPreview(fleet, 'version', '1.1');
    expect(v11.targets.map((i) => i.id)).toEqual(['p-3']);
    expect(v11.guardRefuses).toBe(false);
    expect(bulkPreview(fleet.slice(1, 3), 'zone', 'z2').guardRefuses).toBe(true);
  });
});
