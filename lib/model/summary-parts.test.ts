import { describe, expect, it } from 'vitest';
import type { SummaryDelta, SummarySnapshot } from './live';
import type { ServiceSummary } from './service-summary';
import { encodeSummaryParts, MAX_INFLATED_PART_BYTES, MAX_SUMMARY_PART_BYTES, receiveSummary } from './summary-parts';

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

const snapshotOf = (names: string[], seq = 42): SummarySnapshot => ({
  epoch: 'run-1',
  seq,
  revision: '9001',
  registry: { state: 'synced', since: '2026-12-04T00:00:00.000Z' },
  services: names.map(summary),
});

const deltaAfter = (seq: number): SummaryDelta => ({ seq: seq + 1, prev: seq, revision: '9002', upserts: [summary('late')], removes: [] });

/** gzip as the server sends it (the web-standard stream, so this test needs no Node module). */
async function gzipped(part: Uint8Array): Promise<Uint8Array> {
  const stream = new ReadableStream<BufferSource>({
    start(controller) {
      controller.enqueue(new Uint8Array(part));
      controller.close();
    },
  }).pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const wire = (snapshot: SummarySnapshot): Promise<Uint8Array[]> => Promise.all(encodeSummaryParts(snapshot).map(gzipped));

/** What a receiver hands on, in order, from messages received in the order given. */
async function handedOn(messages: (Uint8Array | SummaryDelta)[], limit?: number): Promise<(SummarySnapshot | SummaryDelta)[]> {
  const received: (SummarySnapshot | SummaryDelta)[] = [];
  const receiver = receiveSummary(
    (snapshot) => received.push(snapshot),
    (delta) => received.push(delta),
    limit,
  );
  for (const message of messages) {
    if (message instanceof Uint8Array) receiver.part(message);
    else receiver.delta(message);
  }
  await receiver.idle();
  return received;
}

describe('summary snapshot parts', () => {
  it('sends a small fleet as one gzip part that reads back as the snapshot', async () => {
    const snapshot = snapshotOf(['orders', 'users']);
    const parts = await wire(snapshot);
    expect(parts).toHaveLength(1);
    expect(await handedOn(parts)).toEqual([snapshot]);
  });

  it('splits 10,000 services into parts under the bound before compression, read back whole and in order', async () => {
    const snapshot = snapshotOf(Array.from({ length: 10_000 }, (_, i) => `quotes-${String(i).padStart(5, '0')}-store`));
    const json = encodeSummaryParts(snapshot);
    expect(json.length).toBeGreaterThan(1);
    for (const part of json) expect(part.byteLength).toBeLessThanOrEqual(MAX_SUMMARY_PART_BYTES);
    const parts = await Promise.all(json.map(gzipped));
    // Repetitive JSON: compressed, the whole snapshot is a fraction of one uncompressed part.
    expect(parts.reduce((bytes, part) => bytes + part.byteLength, 0)).toBeLessThan(MAX_SUMMARY_PART_BYTES / 4);
    expect(await handedOn(parts)).toEqual([snapshot]);
  });

  it('keeps every part under the bound with names of multi-byte characters, and reads them back intact', async () => {
    const snapshot = snapshotOf(Array.from({ length: 3_000 }, (_, i) => `支付服务-${i}-${'名'.repeat(200)}-🚀`));
    const json = encodeSummaryParts(snapshot);
    expect(json.length).toBeGreaterThan(1);
    for (const part of json) expect(part.byteLength).toBeLessThanOrEqual(MAX_SUMMARY_PART_BYTES);
    expect(await handedOn(await Promise.all(json.map(gzipped)))).toEqual([snapshot]);
  });

  it('gives nothing for parts out of order, and a later whole snapshot still reads', async () => {
    const snapshot = snapshotOf(Array.from({ length: 10_000 }, (_, i) => `svc-${i}-${'x'.repeat(60)}`));
    const parts = await wire(snapshot);
    expect(parts.length).toBeGreaterThan(2);
    expect(await handedOn([parts[0], parts[2], parts[1]] as Uint8Array[])).toEqual([]);
    expect(await handedOn([parts[0], parts[2], parts[1], ...parts] as Uint8Array[])).toEqual([snapshot]);
  });

  it('refuses a part that inflates past the bound, dropping the snapshot it belonged to; the next one reads', async () => {
    // A few KB on the wire that inflate to more than the bound: one summary of a huge name.
    const huge = snapshotOf([`bomb-${'a'.repeat(MAX_INFLATED_PART_BYTES)}`]);
    const bomb = await wire(huge);
    expect(bomb).toHaveLength(1);
    expect(bomb[0]?.byteLength).toBeLessThan(64 * 1024);
    const next = snapshotOf(['orders'], 43);
    expect(await handedOn([...bomb, ...(await wire(next))])).toEqual([next]);
    // The same part under a bound it fits (its name is in it twice, with its dependency) reads.
    const read = await handedOn(bomb, 3 * MAX_INFLATED_PART_BYTES);
    expect(read.map((snapshot) => ('services' in snapshot ? snapshot.services.map((s) => s.name.length) : []))).toEqual([[huge.services[0]?.name.length]]);
  });

  it('drops what was gathered when a part is not gzip or not JSON', async () => {
    const snapshot = snapshotOf(Array.from({ length: 10_000 }, (_, i) => `svc-${i}-${'x'.repeat(60)}`));
    const parts = await wire(snapshot);
    const notGzip = new TextEncoder().encode('{"part":1}');
    const notJson = await gzipped(new TextEncoder().encode('{"part":'));
    expect(await handedOn([parts[0], notGzip, ...parts.slice(2)] as Uint8Array[])).toEqual([]);
    expect(await handedOn([parts[0], notJson, ...parts.slice(2)] as Uint8Array[])).toEqual([]);
  });

  it('hands a delta on after the snapshot sent before it, though the snapshot inflates asynchronously', async () => {
    const snapshot = snapshotOf(Array.from({ length: 10_000 }, (_, i) => `svc-${i}`));
    const parts = await wire(snapshot);
    expect(await handedOn([...parts, deltaAfter(42), deltaAfter(43)])).toEqual([snapshot, deltaAfter(42), deltaAfter(43)]);
  });

  it('hands a delta on at once when no snapshot is inflating', async () => {
    const received: SummaryDelta[] = [];
    const receiver = receiveSummary(() => undefined, (delta) => received.push(delta));
    receiver.delta(deltaAfter(42));
    expect(received).toEqual([deltaAfter(42)]);
    receiver.part((await wire(snapshotOf(['orders'])))[0] as Uint8Array);
    await receiver.idle();
    receiver.delta(deltaAfter(43));
    expect(received).toEqual([deltaAfter(42), deltaAfter(43)]);
  });

  it('sends an empty fleet as one part with no services', async () => {
    expect(await handedOn(await wire(snapshotOf([])))).toEqual([snapshotOf([])]);
  });
});
