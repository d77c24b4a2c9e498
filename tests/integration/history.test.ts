import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { allEvents } from '../support/history-events';
import { eventually, startServer, type TestServer } from '../support/server';
import { perAttempt } from '../support/names';

let etcd: TestEtcd;
let server: TestServer;
let dataDir: string;

const ready = async (s: TestServer): Promise<void> => {
  await eventually(async () => ((await s.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready');
};

/** A server of the file's own, for the tests that need one running (the crash test runs its own etcd and servers). */
beforeAll(async () => {
  etcd = await startEtcd();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-history-it-'));
  server = await startServer({ etcdEndpoints: etcd.endpoints, dataDir });
  await ready(server);
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('failure history on a real server', () => {
  it('keeps every committed event exactly once across a SIGKILL mid-burst, and records the gap', async () => {
    // An etcd and a data directory of its own: a retry starts from an empty history and keyspace.
    const ownEtcd = await startEtcd();
    const ownDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-history-crash-'));
    let crashing: TestServer | undefined;
    try {
      crashing = await startServer({ etcdEndpoints: ownEtcd.endpoints, dataDir: ownDir });
      await ready(crashing);
      let committed: HistoryEvent[] = [];
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 5_000; i += 1) {
        writes.push(ownEtcd.client.put(`/services/burst-${i % 20}/b-${i}`).value(JSON.stringify({ address: `127.0.0.1:${20_000 + i}` })).exec());
        if (i === 2_500) {
          await Promise.all(writes);
          await new Promise((r) => setTimeout(r, 100));
          // What the server has committed so far must survive the kill.
          committed = await allEvents(crashing, { kind: 'instance.registered' });
          expect(committed.length).toBeGreaterThan(0);
          await crashing.kill();
        }
      }
      await Promise.all(writes);
      const killedAt = Date.now();
      await new Promise((r) => setTimeout(r, 1_000));
      crashing = await startServer({ etcdEndpoints: ownEtcd.endpoints, dataDir: ownDir });
      await ready(crashing);
      const current = crashing;
      const registered = await eventually(async () => {
        const events = await allEvents(current, { kind: 'instance.registered' });
        return events.length >= 5_000 ? events : undefined;
      }, 20_000, 'all registrations recorded');
      const ids = registered.map((e) => e.instance);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(5_000);
      const stillThere = new Map(registered.map((e) => [e.id, e]));
      for (const event of committed) expect(stillThere.get(event.id)).toEqual(event);

      const gaps = await allEvents(current, { kind: 'history.gap' });
      expect(gaps).toHaveLength(1);
      expect(Date.parse(gaps[0]?.at ?? '')).toBeLessThanOrEqual(killedAt);
      expect(Date.parse(gaps[0]?.until ?? '')).toBeGreaterThan(killedAt);
      expect(gaps[0]?.detail).toContain('crashed or was killed');
    } finally {
      await crashing?.stop();
      await ownEtcd.stop();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  it('tells a lease that ended from an explicit delete', async () => {
    const current = server;
    const leased = perAttempt('leased');
    const plain = perAttempt('plain');
    await etcd.put(`/services/${leased}/l-1`, JSON.stringify({ address: '127.0.0.1:1' }), 2);
    await etcd.put(`/services/${plain}/p-1`, JSON.stringify({ address: '127.0.0.1:2' }));
    await eventually(async () => ((await allEvents(current, { service: plain })).length === 1 ? true : undefined), 5_000, 'registered');
    await etcd.delete(`/services/${plain}/p-1`);
    const gone = await eventually(async () => {
      const [expired] = await allEvents(current, { service: leased, kind: 'instance.deregistered' });
      const [deleted] = await allEvents(current, { service: plain, kind: 'instance.deregistered' });
      return expired && deleted ? { expired, deleted } : undefined;
    }, 10_000, 'deregistrations');
    // etcd forgets a lease the same way whether it ran out or was revoked late.
    expect(gone.expired.detail).toMatch(/^lease \S+ ended \(revoked or expired\)$/);
    expect(gone.deleted.detail).toBe('key deleted');
  });

  it('exports the filtered view as CSV and JSON', async () => {
    const current = server;
    const exported = perAttempt('exported');
    await etcd.put(`/services/${exported}/e-1`, JSON.stringify({ address: '127.0.0.1:3' }));
    await eventually(async () => ((await allEvents(current, { service: exported })).length === 1 ? true : undefined), 5_000, 'registered');
    await etcd.delete(`/services/${exported}/e-1`);
    await eventually(async () => ((await allEvents(current, { service: exported })).length === 2 ? true : undefined), 5_000, 'deregistered');
    const csv = await current.fetch(`/api/v1/events/export?format=csv&service=${exported}`);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="switchyard-events-.*\.csv"/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,at,kind,service,instance,from,to,actor,detail,until');
    expect(lines.slice(1).map((line) => line.split(',')[2])).toEqual(['instance.deregistered', 'instance.registered']);
    const json = (await (await current.fetch(`/api/v1/events/export?format=json&service=${exported}`)).json()) as HistoryEvent[];
    expect(json.map((e) => e.kind)).toEqual(['instance.deregistered', 'instance.registered']);
    const bad = await current.fetch(`/api/v1/events?kind=instance.exploded`);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('kind.0');
  });
});
