import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentList } from '@/lib/model/incidents';
import type { IngestBatch } from '@/lib/model/ingest';
import type { Service } from '@/lib/model/instance';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startLeasedService, type LeasedService } from '../support/leased-service';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';

const LEASE_TTL_SECONDS = 3;
const PROBE_INTERVAL_MS = 500;
/** A loaded 2-core machine runs timers, probes and etcd answers this late. */
const SLACK_MS = 5_000;
/** The check: a 30 s outage of a whole service (lost instances are kept the default 900 s, far longer). */
const OUTAGE_MS = 30_000;
/** "Likely origin" is gone this soon after the origin recovers (issue 14, What to build 4). */
const ORIGIN_CLEARS_MS = 15_000;

let etcd: TestEtcd;
let server: TestServer;
const processes: LeasedService[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints, env: { SWITCHYARD_PROBE_INTERVAL_MS: String(PROBE_INTERVAL_MS) } });
});

afterAll(async () => {
  await Promise.allSettled(processes.map((process) => process.kill()));
  await server?.stop();
  await etcd?.stop();
});

const launch = async (service: string, id: string, dependsOn?: string[]): Promise<LeasedService> => {
  const started = await startLeasedService({ etcdEndpoint: etcd.endpoint, service, id, leaseTtlSeconds: LEASE_TTL_SECONDS, ...(dependsOn ? { dependsOn } : {}) });
  processes.push(started);
  return started;
};

const serviceNamed = async (name: string): Promise<Service | undefined> =>
  ((await (await server.fetch('/api/v1/services')).json()) as { services: Service[] }).services.find((service) => service.name === name);
const passing = (name: string) => async () => {
  const service = await serviceNamed(name);
  return service?.instances.length === 1 && service.status === 'passing' ? service : undefined;
};
type Origin = { id: string; explains: string[]; recoveredAt?: string };
/**
 * The likely origins that are or explain one of `own`, a test attempt's services: on a retry's
 * server an earlier attempt's services may still be, or explain, origins of their own.
 */
const originsOf = async (own: string[], query = ''): Promise<Origin[]> =>
  ((await (await server.fetch(`/api/v1/topology${query}`)).json()) as { origins: Origin[] }).origins.filter(
    (origin) => own.includes(origin.id) || origin.explains.some((explained) => own.includes(explained)),
  );

/** One second of calls from `from` to `to`-1, `errorShare` of them failing. */
const reportCalls = (from: string, to: string, errorShare: number): Promise<Response> => {
  const batch: IngestBatch = {
    reporter: { service: from, instance: `${from}-1` },
    intervalStart: new Date(Date.now() - 1_000).toISOString(),
    intervalSeconds: 1,
    calls: [{ to, toInstance: `${to}-1`, count: 20, errors: Math.round(20 * errorShare), latencyMs: { bounds: [10], counts: [20, 0] } }],
  };
  return server.fetch('/api/v1/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
};

describe('a real 30 s outage of a whole service, with real processes and real leases', () => {
  // Each test names its services per attempt: a retry on the same server would meet the first
  // attempt's processes (two on one key), incidents and likely origins under the same names.
  it('is an incident of 30 s less at most the detection delay, upstream of its caller\u2019s, and its likely origin clears within 15 s of recovery', async () => {
    // Likely origins are read among this attempt's services only: see originsOf.
    const web = perAttempt('web');
    const orders = perAttempt('orders');
    const edge = perAttempt('edge');
    const originIds = async (): Promise<string[]> => (await originsOf([web, orders, edge])).map((origin) => origin.id);
    await launch(web, `${web}-1`, [orders]);
    const ordersInstance = await launch(orders, `${orders}-1`);
    await eventually(passing(web), 20_000, `${web} passing`);
    await eventually(passing(orders), 20_000, `${orders} passing`);
    const killedAt = Date.now();
    await ordersInstance.kill();
    // web's own callers see its calls fail while orders is down: 60 % of them, reported every second.
    let errorShare = 0.6;
    const report = setInterval(() => void reportCalls(edge, web, errorShare).catch(() => undefined), 1_000);
    try {
      await eventually(async () => ((await serviceNamed(orders))?.status === 'critical' ? true : undefined), LEASE_TTL_SECONDS * 1_000 + PROBE_INTERVAL_MS + SLACK_MS, `${orders} critical`);
      const origins = await eventually(async () => {
        const found = await originIds();
        return found.includes(orders) ? found : undefined;
      }, 20_000, `${orders} named the likely origin of ${web} failing`);
      expect(origins).toEqual([orders]);
      // The outage itself lasts 30 s from the kill (a duration to wait out, not a condition).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + OUTAGE_MS - Date.now())));
      await launch(orders, `${orders}-1`);
      const backAt = Date.now();
      errorShare = 0;
      await eventually(async () => ((await originIds()).length === 0 ? true : undefined), ORIGIN_CLEARS_MS + SLACK_MS, 'no likely origin after recovery');
      expect(Date.now() - backAt).toBeLessThanOrEqual(ORIGIN_CLEARS_MS);

      const incident = await eventually(
        async () => {
          const list = (await (await server.fetch(`/api/v1/incidents?service=${orders}`)).json()) as IncidentList;
          return list.incidents.find((candidate) => candidate.closedAt !== null && Date.parse(candidate.openedAt) >= killedAt - 1_000);
        },
        10_000,
        `a closed incident for ${orders}`,
      );
      const outageMs = backAt - killedAt;
      expect(outageMs).toBeGreaterThanOrEqual(OUTAGE_MS);
      // Detection delay (README "What the statuses mean"): the first failed probe comes at most one
      // probe interval after the kill (plus a loaded machine's lateness); the incident ends when the
      // instance back in etcd passes its probes (two, a probe interval apart): orders' recovery,
      // the very moment its instance's recoveredAt and the services list give.
      expect(incident.durationMs).toBeGreaterThan(outageMs - PROBE_INTERVAL_MS - 3_000);
      expect(incident.durationMs).toBeLessThanOrEqual(outageMs + 2 * PROBE_INTERVAL_MS + SLACK_MS);
      expect(incident.instances).toEqual([`${orders}-1`]);
      expect(incident.closedBy).toBe('recovery');
      expect(incident.closedAt).toBe((await serviceNamed(orders))?.instances[0]?.recoveredAt);
      // web failed with it: its incident names orders' (web declares it calls orders), read with web alone.
      const webIncident = await eventually(
        async () => {
          const list = (await (await server.fetch(`/api/v1/incidents?service=${web}`)).json()) as IncidentList;
          return list.incidents.find((candidate) => Date.parse(candidate.openedAt) >= killedAt - 1_000);
        },
        10_000,
        `an incident for ${web}`,
      );
      expect(webIncident.upstream).toEqual({ service: orders, id: incident.id, openedAt: incident.openedAt });
    } finally {
      clearInterval(report);
    }
  });

  it('keeps a recovered dependency as the likely origin, marked recovered, while a caller that failed with it still clears its errors', async () => {
    const shop = perAttempt('shop');
    const stock = perAttempt('stock');
    const front = perAttempt('front');
    await launch(shop, `${shop}-1`, [stock]);
    const stockInstance = await launch(stock, `${stock}-1`);
    await eventually(passing(shop), 20_000, `${shop} passing`);
    await eventually(passing(stock), 20_000, `${stock} passing`);
    await stockInstance.kill();
    // While stock is down, shop's calls to it fail (shop reports them) and so do the calls shop answers.
    let shopErrors = 0.6;
    let stockErrors = 1;
    const report = setInterval(() => {
      void reportCalls(front, shop, shopErrors).catch(() => undefined);
      void reportCalls(shop, stock, stockErrors).catch(() => undefined);
    }, 1_000);
    const origins = (): Promise<Origin[]> => originsOf([shop, stock, front], '?origins=only');
    try {
      await eventually(async () => ((await origins()).some((origin) => origin.id === stock && origin.recoveredAt === undefined) ? true : undefined), 20_000, `${stock} the likely origin of ${shop} failing`);
      await launch(stock, `${stock}-1`);
      const backAt = Date.now();
      stockErrors = 0;
      // shop still answers with errors for a while (its status window, late reports): stock stays the origin, recovered.
      const recovered = await eventually(async () => (await origins()).find((origin) => origin.id === stock && origin.recoveredAt !== undefined), 20_000, `${stock} the origin, recovered`);
      expect(recovered.explains).toEqual([shop]);
      expect(Date.parse(recovered.recoveredAt ?? '')).toBeGreaterThanOrEqual(backAt - 1_000);
      expect((await serviceNamed(shop))?.status).not.toBe('passing');
      expect((await origins()).map((origin) => origin.id)).not.toContain(shop);
      shopErrors = 0;
      await eventually(async () => ((await origins()).length === 0 ? true : undefined), ORIGIN_CLEARS_MS + SLACK_MS, `no likely origin once ${shop} is clean`);
    } finally {
      clearInterval(report);
    }
  });
});
