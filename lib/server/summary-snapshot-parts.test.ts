import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SummarySnapshot } from '@/lib/model/live';
import type { ServiceSummary } from '@/lib/model/service-summary';
import { encodeSummaryParts, receiveSummaryParts } from '@/lib/model/summary-parts';
import { compressedSummaryParts } from './summary-snapshot-parts';

const summary = (name: string): ServiceSummary => ({ name, status: 'passing', instances: 3, byStatus: { passing: 3 }, formats: ['native'], versions: ['1.0.0'], zones: ['eu-1a'] });
const snapshotOf = (count: number, seq: number): SummarySnapshot => ({
  epoch: 'run-1',
  seq,
  revision: String(seq),
  registry: { state: 'synced', since: '2026-12-04T00:00:00.000Z' },
  services: Array.from({ length: count }, (_, i) => summary(`payments-${String(i).padStart(5, '0')}-api`)),
});

describe('compressed summary snapshot parts', () => {
  it('are the snapshot JSON parts gzipped, and read back by the browser receiver as the snapshot', async () => {
    const snapshot = snapshotOf(10_000, 7);
    const parts = await compressedSummaryParts(snapshot);
    const json = encodeSummaryParts(snapshot);
    const text = new TextDecoder();
    expect(parts.map((part) => gunzipSync(part).toString('utf8'))).toEqual(json.map((part) => text.decode(part)));
    expect(parts.reduce((bytes, part) => bytes + part.byteLength, 0) * 10).toBeLessThan(json.reduce((bytes, part) => bytes + part.byteLength, 0));
    const received = await new Promise<SummarySnapshot>((resolve) => {
      const receive = receiveSummaryParts(resolve);
      for (const part of parts) receive(part);
    });
    expect(received).toEqual(snapshot);
  });

  it('are compressed once per snapshot, however many ask, and apart for another snapshot', async () => {
    const snapshot = snapshotOf(10, 7);
    const asked = [compressedSummaryParts(snapshot), compressedSummaryParts(snapshot)];
    expect(asked[0]).toBe(asked[1]);
    expect(await asked[0]).toBe(await compressedSummaryParts(snapshot));
    const next = snapshotOf(10, 8);
    const nextParts = await compressedSummaryParts(next);
    expect(nextParts).not.toBe(await asked[0]);
    expect(JSON.parse(gunzipSync(nextParts[0] as Uint8Array).toString('utf8'))).toMatchObject({ seq: 8, part: 0, parts: 1 });
  });
});
