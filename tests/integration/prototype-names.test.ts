import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { refusedPort } from '../support/ports';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * Service names, instance ids and metadata keys that are also Object.prototype members: each must be
 * plain data in every API (issue 13, finding 6) — listed, with its own values, and polluting nothing.
 */
const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;
/** Per service: instance `__proto__` fails (refused port) and is deleted later; the others stay healthy. */
const FAILING_ID = '__proto__';
const HEALTHY_IDS = ['constructor', 'toString', 'hasOwnProperty'];

/** What the registrations' metadata must read back as, in this order (JSON.parse keeps `__proto__` as a key). */
const metadataOf = (service: string): string => `{"__proto__":"p:${service}","constructor":"c:${service}","toString":"t:${service}","hasOwnProperty":"h:${service}"}`;
const nextName = (service: string): string => NAMES[(NAMES.indexOf(service as (typeof NAMES)[number]) + 1) % NAMES.length] ?? '';

let etcd: TestEtcd;
let server: TestServer;
let healthy: Server;
const sockets = new Set<Socket>();

const getJson = async (path: string): Promise<unknown> => {
  const response = await server.fetch(path);
  expect(response.status, path).toBe(200);
  // Parsed as JSON text: `__proto__` comes back as an own key, as any client sees it.
  return JSON.parse(await response.text()) as unknown;
};
const segment = encodeURIComponent;

interface ApiInstance {
  id: string;
  service: string;
  status: string;
  metadata: Record<string, string>;
}
interface ApiService {
  name: string;
  instances: ApiInstance[];
}

let healthyPort: number;
let failingPort: number;
/** What `arrange` started, in the order to stop it: the server before its etcd. */
const started: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  healthy = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
  healthyPort = (healthy.address() as AddressInfo).port;
  failingPort = await refusedPort();
});

afterAll(async () => {
  await stopArranged();
  for (const socket of sockets) socket.destroy();
  healthy?.close();
});

/**
 * An etcd with the fleet and a server on it, of their own per attempt: the names themselves are
 * what is tested, so they cannot be made unique, and a retry on the first attempt's server would
 * find its failing instances deleted, its incidents closed and its calls already in the series.
 */
async function arrange(): Promise<void> {
  etcd = await startEtcd();
  started.push(etcd);
  for (const service of NAMES) {
    await etcd.put(`/services/${service}/${FAILING_ID}`, `{"address":"127.0.0.1:${failingPort}","metadata":${metadataOf(service)},"dependsOn":["${nextName(service)}"]}`);
    for (const id of HEALTHY_IDS) await etcd.put(`/services/${service}/${id}`, `{"address":"127.0.0.1:${healthyPort}","metadata":${metadataOf(service)}}`);
  }
  await etcd.put('/services/plain/plain-1', `{"address":"127.0.0.1:${healthyPort}"}`);
  // Keys no format recognises, whose prefixes are the names: listed by the diagnostics.
  for (const name of NAMES) await etcd.put(name, 'not a registration');
  server = await startServer({ etcdEndpoints: etcd.endpoints, env: { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_PROBE_TIMEOUT_MS: '300' } });
  started.unshift(server);
}

async function stopArranged(): Promise<void> {
  for (const one of started.splice(0)) await one.stop();
}

describe('fleet names that are Object.prototype members', () => {
  it('are listed with their own values by every API, and pollute nothing', async () => {
    try {
      await arrange();
      // Services and instances, with each instance's metadata read back key for key.
      const services = await eventually(async () => {
        const body = (await getJson('/api/v1/services')) as { services: ApiService[] };
        const named = body.services.filter((service) => (NAMES as readonly string[]).includes(service.name));
        const failing = named.flatMap((service) => service.instances).filter((instance) => instance.id === FAILING_ID);
        return named.length === NAMES.length && failing.length === NAMES.length && failing.every((instance) => instance.status === 'critical') ? body.services : undefined;
      }, 30_000, 'every service listed and its failing instance critical');
      expect(services.map((service) => service.name).sort()).toEqual([...NAMES, 'plain'].sort());
      for (const service of services.filter((candidate) => candidate.name !== 'plain')) {
        expect(service.instances.map((instance) => instance.id).sort()).toEqual([FAILING_ID, ...HEALTHY_IDS].sort());
        for (const instance of service.instances) {
          expect(instance.service).toBe(service.name);
          expect(Object.entries(instance.metadata)).toEqual(Object.entries(JSON.parse(metadataOf(service.name)) as object));
        }
      }
      expect(services.find((service) => service.name === 'plain')?.instances[0]?.metadata).toEqual({});

      for (const name of NAMES) {
        const one = (await getJson(`/api/v1/services/${segment(name)}`)) as ApiService & { dependencies: string[]; dependents: string[] };
        expect(one.name).toBe(name);
        expect(one.instances).toHaveLength(4);
        expect(one.dependencies).toEqual([nextName(name)]);
        expect(one.dependents).toEqual([NAMES[(NAMES.indexOf(name) + NAMES.length - 1) % NAMES.length]]);
      }

      // Calls reported by `constructor`/`toString` to `__proto__`/`hasOwnProperty`: latency, edges, topology.
      const report = {
        reporter: { service: 'constructor', instance: 'toString' },
        intervalStart: new Date(Date.now() - 5_000).toISOString(),
        intervalSeconds: 5,
        calls: [{ to: '__proto__', toInstance: 'hasOwnProperty', count: 50, errors: 5, latencyMs: { bounds: [10, 50], counts: [40, 10, 0] } }],
      };
      const ingest = await server.fetch('/api/v1/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
      expect(ingest.status).toBe(202);
      const serviceLatency = (await getJson(`/api/v1/services/${segment('__proto__')}/latency?window=5m`)) as { service: string; points: { rps: number }[] };
      expect(serviceLatency.service).toBe('__proto__');
      expect(serviceLatency.points.some((point) => point.rps > 0)).toBe(true);
      const instanceLatency = (await getJson(`/api/v1/services/${segment('__proto__')}/instances/latency?window=5m`)) as { instances: { id: string; inbound: { rps: number }[] }[] };
      expect(instanceLatency.instances.map((instance) => instance.id).sort()).toEqual([FAILING_ID, ...HEALTHY_IDS].sort());
      expect(instanceLatency.instances.find((instance) => instance.id === 'hasOwnProperty')?.inbound.some((point) => point.rps > 0)).toBe(true);
      const edge = (await getJson(`/api/v1/edges/latency?from=constructor&to=__proto__&window=5m`)) as { from: string; to: string; points: { rps: number }[] };
      expect([edge.from, edge.to]).toEqual(['constructor', '__proto__']);
      expect(edge.points.some((point) => point.rps > 0)).toBe(true);

      const topology = (await getJson('/api/v1/topology')) as { nodes: { id: string; instances: number }[]; edges: { from: string; to: string; source: string }[] };
      for (const name of NAMES) {
        expect(topology.nodes.find((node) => node.id === name)?.instances).toBe(4);
        expect(topology.edges).toContainEqual(expect.objectContaining({ from: name, to: nextName(name), source: 'declared' }));
      }
      expect(topology.edges).toContainEqual(expect.objectContaining({ from: 'constructor', to: '__proto__', source: 'observed' }));

      const diagnostics = (await getJson('/api/v1/diagnostics')) as { unrecognised: { prefix: string; count: number }[] };
      for (const name of NAMES) expect(diagnostics.unrecognised).toContainEqual(expect.objectContaining({ prefix: name, count: 1 }));

      // Deleting the failing instances ends each service's incident: MTTR per service, history, uptime.
      for (const name of NAMES) await etcd.delete(`/services/${name}/${FAILING_ID}`);
      const incidents = await eventually(async () => {
        const body = (await getJson('/api/v1/incidents')) as { incidents: { service: string; closedAt: string | null; instances: string[] }[]; mttrMs: Record<string, number | null> };
        const closed = body.incidents.filter((incident) => incident.closedAt !== null);
        return closed.length === NAMES.length ? body : undefined;
      }, 20_000, 'one closed incident per service');
      expect(incidents.incidents.map((incident) => incident.service).sort()).toEqual([...NAMES].sort());
      for (const incident of incidents.incidents) expect(incident.instances).toEqual([FAILING_ID]);
      expect(Object.keys(incidents.mttrMs).sort()).toEqual([...NAMES].sort());
      for (const name of NAMES) {
        expect(Object.hasOwn(incidents.mttrMs, name)).toBe(true);
        expect(incidents.mttrMs[name]).toBeGreaterThan(0);
        const single = (await getJson(`/api/v1/incidents?service=${segment(name)}`)) as { incidents: { service: string }[]; mttrMs: Record<string, number | null> };
        expect(single.incidents.map((incident) => incident.service)).toEqual([name]);
        expect(Object.keys(single.mttrMs)).toEqual([name]);
      }
      // A service with no incidents is still named in the MTTR of a query for it.
      const quiet = (await getJson(`/api/v1/incidents?service=${segment('constructor')}&since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z`)) as { mttrMs: Record<string, number | null> };
      expect(Object.entries(quiet.mttrMs)).toEqual([['constructor', null]]);

      for (const name of NAMES) {
        const events = (await getJson(`/api/v1/events?service=${segment(name)}&instance=${segment(FAILING_ID)}`)) as { events: { kind: string; service?: string; instance?: string }[] };
        expect(events.events.map((event) => event.kind).sort()).toEqual(['health.changed', 'instance.deregistered', 'instance.registered']);
        for (const event of events.events) expect([event.service, event.instance]).toEqual([name, FAILING_ID]);

        const uptime = (await getJson(`/api/v1/services/${segment(name)}/uptime?window=24h&buckets=24`)) as { service: string; instances: { id: string; uptime: number | null }[] };
        expect(uptime.service).toBe(name);
        expect(uptime.instances.map((instance) => instance.id).sort()).toEqual([FAILING_ID, ...HEALTHY_IDS].sort());
        expect(uptime.instances.find((instance) => instance.id === FAILING_ID)?.uptime).toBeLessThan(1);
      }

      // Nothing leaked into a prototype: a plain service still reads back exactly as registered.
      const plain = (await getJson(`/api/v1/services/plain`)) as ApiService;
      expect(Object.keys(plain.instances[0]?.metadata ?? { missing: true })).toEqual([]);
      expect((await server.fetch('/readyz')).status).toBe(200);
    } finally {
      // Whatever happened: a retry starts from a fresh etcd and server, not this attempt's.
      await stopArranged();
    }
  }, 180_000);
});
