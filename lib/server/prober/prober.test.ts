import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '@/lib/model/health-state';
import type { Lost } from '@/lib/model/instance';
import { createStore, STAND_IN_KEY_PREFIX, type Store } from '../store/store';
import { createProber, type Prober } from './prober';

let store: Store | undefined;
let prober: Prober | undefined;
let server: Server | undefined;
afterEach(async () => {
  await prober?.stop();
  store?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

const left = { at: '2026-12-03T09:32:41.000Z', cause: 'lease expired at 09:32:41 UTC while it still served', passingBefore: 2 };

/** A stand-in of `id` (lost as `lost`) whose address is a loopback HTTP server answering 200. */
function standIn(target: Store, id: string, address: string, lost: Lost): string {
  const key = `${STAND_IN_KEY_PREFIX}/s/users/${id}`;
  target.upsertKey({ etcdKey: key, lease: undefined, registrations: [{ service: 'users', id, address, format: 'native', metadata: {}, health: { http: '/healthz' }, lost }] });
  return key;
}

describe('prober and stand-ins', () => {
  it('probes a stand-in out of discovery at its interval, whatever replica owns its key, and hands the result to onStandInProbe, not the health tracker; never a plain loss', async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    store = createStore({ coalesceMs: 0 });
    const serving = standIn(store, 'a', address, { ...left, stillServing: true });
    standIn(store, 'b', address, left);
    store.flush();
    const recorded: string[] = [];
    const standInProbes: { key: string; result: ProbeResult }[] = [];
    let twoProbes: () => void = () => undefined;
    const probedTwice = new Promise<void>((resolve) => (twoProbes = resolve));
    prober = createProber({
      store,
      tracker: { record: (key) => recorded.push(key), forget: () => undefined },
      onStandInProbe: (key, result) => {
        standInProbes.push({ key, result });
        if (standInProbes.length === 2) twoProbes();
      },
      intervalMs: 50,
      timeoutMs: 1_000,
      concurrency: 4,
      denyCidrs: [],
      etcdEndpoints: [],
      owns: () => false,
      random: () => 0,
    });
    await prober.start();
    await probedTwice;
    expect(standInProbes.map(({ key, result }) => [key, result.ok])).toEqual([
      [serving, true],
      [serving, true],
    ]);
    expect(recorded).toEqual([]);
    expect(prober.stats().probed).toBeGreaterThanOrEqual(2);
  });
});
