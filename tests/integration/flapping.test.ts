import { describe, expect, it } from 'vitest';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { deriveIncidents, type IncidentList } from '@/lib/model/incidents';
import type { Service, Status } from '@/lib/model/instance';
import { flappingOf } from '@/lib/model/status/flapping';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { healthChangedEvent } from '@/lib/server/health';
import { createRegistry } from '@/lib/server/registry/sync';
import { createStatusPublisher } from '@/lib/server/status/publisher';
import { createStore } from '@/lib/server/store/store';
import { serverForFile } from '../support/file-server';
import { perAttempt } from '../support/names';
import { eventually } from '../support/server';
import { actWhileListing } from '../support/while-listing';

const stack = serverForFile({ env: { SWITCHYARD_PROBE_INTERVAL_MS: '500' }, healthTarget: true });

const fetchService = async (name: string): Promise<Service> => (await (await stack.server.fetch(`/api/v1/services/${name}`)).json()) as Service;

describe('flapping on the real server (real etcd, the runtime as start-runtime wires it)', () => {
  it('counts a brand-new instance’s first failure: one registered after start-up answering 503, 200, 503 reads 3 changes on the service page and flaps in History', async () => {
    // Registered once the registry is synced: new, not present at start-up.
    await eventually(async () => ((await stack.server.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'the registry synced');
    const name = perAttempt('crashloop');
    stack.target.setStatus(503);
    await stack.etcd.put(`/services/${name}/${name}-1`, JSON.stringify({ address: stack.target.address, health: { http: '/healthz' } }));
    const reaches = (status: Status): Promise<Service> =>
      eventually(async () => {
        const service = await fetchService(name);
        return service.instances?.[0]?.status === status ? service : undefined;
      }, 20_000, `${name}-1 ${status}`);
    await reaches('critical');
    stack.target.setStatus(200);
    await reaches('passing');
    stack.target.setStatus(503);
    const service = await reaches('critical');
    expect(flappingOf(service.instances[0]?.criticalChangesMs, Date.now())?.changes).toBe(3);
    const incidents = await eventually(async () => {
      const list = (await (await stack.server.fetch(`/api/v1/incidents?service=${name}`)).json()) as IncidentList;
      return list.incidents.some((incident) => incident.flapping) ? list.incidents : undefined;
    }, 10_000, 'a flapping incident');
    expect(incidents.map((incident) => incident.flapping)).toContainEqual({ instance: `${name}-1`, changes: 3 });
  });
});

describe('an instance registered while the registry’s first listing was applied', () => {
  it('is new to the publisher told at the first listing’s apply, as start-runtime tells it: History has its registration row and counts its first failure, so does the page', async () => {
    const name = perAttempt('replayed');
    const client = createEtcdClient({ endpoints: [stack.etcd.endpoint] });
    const held = actWhileListing(client, () => stack.etcd.put(`/services/${name}/${name}-1`, JSON.stringify({ address: stack.target.address })), 1, 'the put');
    const store = createStore({ coalesceMs: 0 });
    const history: HistoryEvent[] = [];
    const record = (event: NewHistoryEvent): void => void history.push({ ...event, id: history.length + 1 });
    // Its probes are stamped on a manual clock after its registration row.
    const clock = { now: Date.now() + 60_000 };
    const publisher = createStatusPublisher({ store, now: () => new Date(clock.now), onChange: (change) => record(healthChangedEvent(change)) });
    const registry = createRegistry({
      client,
      store,
      prefixes: [`/services/${name}/`],
      controlPrefix: '/switchyard/',
      counters: { watchEvents: () => undefined, relists: () => undefined },
      log: () => undefined,
      onHistory: record,
      onRelisted: () => publisher.registryListed(),
    });
    registry.start();
    try {
      await registry.synced();
      store.flush();
      expect(held.done()).toBe(true);
      expect(history.map((event) => [event.kind, event.instance, event.detail])).toEqual([['instance.registered', `${name}-1`, 'registered']]);
      const [instance] = [...store.instances()];
      const key = instance?.key ?? '';
      for (const to of ['critical', 'passing', 'critical'] as const) {
        clock.now += 30_000;
        const from = store.instance(key)?.status ?? 'unknown';
        publisher.probe(key, { status: to, statusCause: to, lastProbe: { at: new Date(clock.now).toISOString(), ok: to === 'passing', latencyMs: 1 } }, { key, service: name, instance: `${name}-1`, from, to, cause: to, at: new Date(clock.now).toISOString() });
        store.flush();
      }
      const inOrder = [...history].sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.id - y.id);
      expect(deriveIncidents(inOrder, { now: clock.now }).map((incident) => incident.flapping).at(-1)).toEqual({ instance: `${name}-1`, changes: 3 });
      expect(flappingOf(store.instance(key)?.criticalChangesMs, clock.now)?.changes).toBe(3);
    } finally {
      await registry.stop();
      publisher.stop();
      store.close();
      client.close();
    }
  });
});
