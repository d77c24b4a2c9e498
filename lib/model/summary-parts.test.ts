import { describe, expect, it } from 'vitest';
import type { SummarySnapshot } from './live';
import type { ServiceSummary } from './service-summary';
import { encodeSummaryParts, MAX_SUMMARY_PART_BYTES, receiveSummaryParts } from './summary-parts';

const summary = (name: string): ServiceSummary => ({
  name,
  status: 'critical',
  cause: '3 of 10 instances failing probes: connect ECONNREFUSED 10.0.0.1:9',
  causeKind: 'probe',
  instances: 10,
  byStatus: { critical: 3, passing: 7 },
  formats: ['native'],
  versions: ['1.2.0', '1.3.0'],
  zones: ['eu-1a', 'eu-1b'],
  zone: 'eu-1a',
  dependsOn: [`${name}-db`],
});

const snapshotOf = (names: string[]): SummarySnapshot => ({
  epoch: 'run-1',
  seq: 42,
  revision: '9001',
  registry: { state: 'synced', since: '2026-12-04T00:00:00.000Z' },
  services: names.map(summary),
});

function roundTrip(parts: Uint8Array[]): SummarySnapshot[] {
  const received: SummarySnapshot[] = [];
  const receive = receiveSummaryParts((snapshot) => received.push(snapshot));
  for (const part of parts) receive(part);
  return received;
}

describe('summary snapshot parts', () => {
  it('sends a small fleet as one part that reads back as the snapshot', () => {
    const snapshot = snapshotOf(['orders', 'users']);
    const parts = encodeSummaryParts(snapshot);
    expect(parts).toHaveLength(1);
    expect(roundTrip(parts)).toEqual([snapshot]);
  });

  it('splits 10,000 services into parts under the bound, read back whole and in order', () => {
    const snapshot = snapshotOf(Array.from({ length: 10_000 }, (_, i) => `quotes-${String(i).padStart(5, '0')}-store`));
    const parts = encodeSummaryParts(snapshot);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.byteLength).toBeLessThanOrEqual(MAX_SUMMARY_PART_BYTES);
    expect(roundTrip(parts)).toEqual([snapshot]);
  });

  it('keeps every part under the bound with names of multi-byte characters', () => {
    const snapshot = snapshotOf(Array.from({ length: 3_000 }, (_, i) => `支付服务-${i}-${'名'.repeat(200)}`));
    const parts = encodeSummaryParts(snapshot);
    for (const part of parts) expect(part.byteLength).toBeLessThanOrEqual(MAX_SUMMARY_PART_BYTES);
    expect(roundTrip(parts)).toEqual([snapshot]);
  });

  it('gives nothing for parts out of order, and a later whole snapshot still reads', () => {
    const snapshot = snapshotOf(Array.from({ length: 10_000 }, (_, i) => `svc-${i}-${'x'.repeat(60)}`));
    const parts = encodeSummaryParts(snapshot);
    expect(parts.length).toBeGreaterThan(2);
    const received: SummarySnapshot[] = [];
    const receive = receiveSummaryParts((got) => received.push(got));
    for (const part of [parts[0], parts[2], parts[1]]) receive(part as Uint8Array);
    expect(received).toEqual([]);
    for (const part of parts) receive(part);
    expect(received).toEqual([snapshot]);
  });

  it('sends an empty fleet as one part with no services', () => {
    expect(roundTrip(encodeSummaryParts(snapshotOf([])))).toEqual([snapshotOf([])]);
  });
});
