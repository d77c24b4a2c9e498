import { describe, expect, it } from 'vitest';
import type { EventPage } from '@/lib/model/events';
import type { Service } from '@/lib/model/instance';
import { serverForFile } from '../support/file-server';
import { startLeasedService, type LeasedService } from '../support/leased-service';
import { perAttempt } from '../support/names';
import { eventually } from '../support/server';

const LEASE_TTL_SECONDS = 3;
const PROBE_INTERVAL_MS = 500;
const RETENTION_SECONDS = 12;
const DEPARTED_CHECK_SECONDS = 2;
/** A loaded 2-core machine runs timers, probes and etcd answers this late. */
const SLACK_MS = 5_000;

const processes: LeasedService[] = [];
const stack = serverForFile({
  env: {
    SWITCHYARD_PROBE_INTERVAL_MS: String(PROBE_INTERVAL_MS),
    SWITCHYARD_LOST_RETENTION_SECONDS: String(RETENTION_SECONDS),
    SWITCHYARD_DEPARTED_CHECK_SECONDS: String(DEPARTED_CHECK_SECONDS),
  },
  stopFirst: () => Promise.allSettled(processes.map((process) => process.kill())),
});

const launch = async (service: string, id: string): Promise<LeasedService> => {
  const started = await startLeasedService({ etcdEndpoint: stack.etcd.endpoint, service, id, leaseTtlSeconds: LEASE_TTL_SECONDS });
  processes.push(started);
  return started;
};

const services = async (): Promise<Service[]> => ((await (await stack.server.fetch('/api/v1/services')).json()) as { services: Service[] }).services;
const serviceNamed = async (name: string): Promise<Service | undefined> => (await services()).find((service) => service.name === name);
const events = async (query: string) => ((await (await stack.server.fetch(`/api/v1/events?${query}`)).json()) as EventPage).events;
const allPassing = (count: number) => async (name: string) => {
  const service = await serviceNamed(name);
  return service?.instances.length === count && service.instances.every((instance) => instance.status === 'passing') ? service : undefined;
};

describe('lost instances on a real server, with real processes and real leases', () => {
  // Each test names its service per attempt: a retry on the same server would find the first
  // attempt's losses, history rows and processes under the same names.
  it('keeps a service whose every instance was SIGKILLed listed as critical, with its lost instances, for the retention', async () => {
    const users = perAttempt('users');
    const instances = [await launch(users, `${users}-1`), await launch(users, `${users}-2`)];
    await eventually(() => allPassing(2)(users), 20_000, `${users} passing`);
    const killedAt = Date.now();
    await Promise.all(instances.map((instance) => instance.kill()));

    const lost = await eventually(
      async () => {
        const service = await serviceNamed(users);
        return service?.status === 'critical' && service.instances.every((instance) => instance.lost) ? service : undefined;
      },
      LEASE_TTL_SECONDS * 1_000 + PROBE_INTERVAL_MS + SLACK_MS,
      `${users} critical with both instances lost`,
    );
    expect(Date.now() - killedAt).toBeLessThanOrEqual(LEASE_TTL_SECONDS * 1_000 + PROBE_INTERVAL_MS + SLACK_MS);
    expect(lost.cause).toMatch(/^all 2 instances lost since \d\d:\d\d:\d\d UTC — lease expired at \d\d:\d\d:\d\d UTC after probes failed from \d\d:\d\d:\d\d UTC; last probe: [^()]+$/);
    for (const instance of lost.instances) {
      expect(instance).toMatchObject({ status: 'critical', lost: { passingBefore: expect.any(Number) } });
      expect(instance.lost?.cause).toMatch(/^lease expired at \d\d:\d\d:\d\d UTC after probes failed from \d\d:\d\d:\d\d UTC/);
      // The loss starts at the first failed probe: after the kill, before the lease ran out.
      expect(Date.parse(instance.lost?.at ?? '')).toBeGreaterThanOrEqual(killedAt - 1_000);
    }
    // The header's counts are the services' statuses.
    expect((await services()).filter((service) => service.status === 'critical').map((service) => service.name)).toContain(users);
    const lostEvents = await eventually(async () => {
      const rows = await events(`service=${users}&kind=instance.lost`);
      return rows.length === 2 ? rows : undefined;
    }, 5_000, 'two instance.lost rows');
    expect(lostEvents.map((event) => event.instance).sort()).toEqual([`${users}-1`, `${users}-2`]);

    // Still listed until the retention is nearly over, then gone.
    const lostAt = Math.min(...lost.instances.map((instance) => Date.parse(instance.lost?.at ?? '')));
    while (Date.now() < lostAt + (RETENTION_SECONDS - 2) * 1_000) {
      expect((await serviceNamed(users))?.instances.filter((instance) => instance.lost)).toHaveLength(2);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await eventually(async () => ((await serviceNamed(users)) === undefined ? true : undefined), 2_000 + 5_000 + SLACK_MS, `${users} gone after the retention`);
    // History is written in batches: the rows follow the removal shortly.
    const cleared = await eventually(async () => {
      const rows = await events(`service=${users}&kind=instance.lost_cleared`);
      return rows.length === 2 ? rows : undefined;
    }, 5_000, 'two lost_cleared rows');
    expect(cleared.map((event) => event.instance).sort()).toEqual([`${users}-1`, `${users}-2`]);
    expect(cleared[0]?.detail).toBe(`kept for ${RETENTION_SECONDS} s after its key went; no longer shown`);
  });

  it('removes a gracefully stopped instance (lease revoked while probes pass) without a loss', async () => {
    const billing = perAttempt('billing');
    const canary = perAttempt('canary');
    const graceful = await launch(billing, `${billing}-1`);
    await eventually(() => allPassing(1)(billing), 20_000, `${billing} passing`);
    await graceful.stop();
    await eventually(async () => ((await serviceNamed(billing)) === undefined ? true : undefined), 10_000, `${billing} gone`);
    // A crash seen after the graceful stop: once its loss is recorded, the earlier stop has been judged.
    const canaryInstance = await launch(canary, `${canary}-1`);
    await eventually(() => allPassing(1)(canary), 20_000, `${canary} passing`);
    await canaryInstance.kill();
    await eventually(async () => ((await events(`service=${canary}&kind=instance.lost`)).length === 1 ? true : undefined), LEASE_TTL_SECONDS * 1_000 + PROBE_INTERVAL_MS + SLACK_MS, `${canary} lost`);
    expect(await events(`service=${billing}&kind=instance.lost`)).toEqual([]);
    expect(await serviceNamed(billing)).toBeUndefined();
  });

  it('lists an instance that lost its etcd session and serves on as lost (out of discovery), its sibling left passing', async () => {
    const ledger = perAttempt('ledger');
    const [cut] = [await launch(ledger, `${ledger}-1`), await launch(ledger, `${ledger}-2`)];
    await eventually(() => allPassing(2)(ledger), 20_000, `${ledger} passing`);
    cut?.loseEtcd();
    const listed = await eventually(
      async () => {
        const service = await serviceNamed(ledger);
        return service?.instances.find((instance) => instance.id === `${ledger}-1`)?.lost ? service : undefined;
      },
      LEASE_TTL_SECONDS * 1_000 + 2 * DEPARTED_CHECK_SECONDS * 1_000 + SLACK_MS,
      `${ledger}-1 lost while serving`,
    );
    const lost = listed.instances.find((instance) => instance.id === `${ledger}-1`);
    expect(lost?.status).toBe('critical');
    expect(lost?.lost?.cause).toMatch(/^lease expired at \d\d:\d\d:\d\d UTC while it still served: it answered probes 4 s later, but is out of discovery$/);
    expect(lost?.lost?.stillServing).toBe(true);
    // Its key went while its probes passed (a departure on purpose, as far as anyone could tell), then it came back as lost: its service was never short.
    expect(listed.instances.find((instance) => instance.id === `${ledger}-2`)).toMatchObject({ status: 'passing' });
    const [event] = await eventually(async () => {
      const found = await events(`service=${ledger}&kind=instance.lost`);
      return found.length > 0 ? found : undefined;
    }, SLACK_MS, `${ledger}-1 lost in history`);
    expect(event?.detail).toBe(lost?.lost?.cause);
  });

  it('warns of a crash never replaced, but does not count an instance stopped on purpose as missing', async () => {
    const orders = perAttempt('orders');
    const instance = (n: number) => async () => (await serviceNamed(orders))?.instances.find((found) => found.id === `${orders}-${n}`);
    const membershipCause = (n: number) => async () => {
      const found = await instance(n)();
      return found?.statusCauseKind === 'membership' ? found.statusCause : undefined;
    };
    const [first, second] = [await launch(orders, `${orders}-1`), await launch(orders, `${orders}-2`), await launch(orders, `${orders}-3`)];
    await eventually(() => allPassing(3)(orders), 20_000, `${orders} passing`);
    // The second crashes and is never replaced: lost (counted as present while it is kept), then gone after the retention.
    await second?.kill();
    await eventually(async () => ((await instance(2)())?.lost ? true : undefined), LEASE_TTL_SECONDS * 1_000 + PROBE_INTERVAL_MS + SLACK_MS, `${orders}-2 lost`);
    expect(await eventually(membershipCause(3), RETENTION_SECONDS * 1_000 + 5_000 + SLACK_MS, `${orders}-3 warned one is missing`)).toBe('2 of 3 instances registered, 3 within the last hour');
    // The first stops gracefully (its lease revoked while its probes pass): on purpose, so only the crash is missing.
    await first?.stop();
    const alone = async (): Promise<string | undefined> => {
      const cause = await membershipCause(3)();
      return cause?.startsWith('1 of') ? cause : undefined;
    };
    expect(await eventually(alone, 5_000 + SLACK_MS, `${orders}-3 alone`)).toBe('1 of 2 instances registered, 2 within the last hour');
  });

  it('clears the loss when the same instance registers again', async () => {
    const reports = perAttempt('reports');
    const first = await launch(reports, `${reports}-1`);
    await eventually(() => allPassing(1)(reports), 20_000, `${reports} passing`);
    await first.kill();
    await eventually(async () => ((await serviceNamed(reports))?.instances[0]?.lost ? true : undefined), LEASE_TTL_SECONDS * 1_000 + PROBE_INTERVAL_MS + SLACK_MS, `${reports} lost`);
    await launch(reports, `${reports}-1`);
    const back = await eventually(() => allPassing(1)(reports), 20_000, `${reports} back and passing`);
    expect(back.instances[0]?.lost).toBeUndefined();
    expect(back.status).toBe('passing');
  });

  it('lets an operator dismiss a lost instance, recorded with their name; a viewer may not', async () => {
    const search = perAttempt('search');
    const instance = await launch(search, `${search}-1`);
    await eventually(() => allPassing(1)(search), 20_000, `${search} passing`);
    await instance.kill();
    await eventually(async () => ((await serviceNamed(search))?.instances[0]?.lost ? true : undefined), LEASE_TTL_SECONDS * 1_000 + PROBE_INTERVAL_MS + SLACK_MS, `${search} lost`);
    const url = `/api/v1/services/${search}/instances/${search}-1/lost`;
    const viewer = await stack.server.createToken({ name: 'lost-viewer', role: 'viewer' });
    expect((await stack.server.fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
    const operator = await stack.server.createToken({ name: 'lost-operator', role: 'operator' });
    const dismissed = await stack.server.fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${operator}` } });
    expect(dismissed.status).toBe(200);
    await eventually(async () => ((await serviceNamed(search)) === undefined ? true : undefined), 5_000, `${search} gone after the dismissal`);
    const [cleared] = await eventually(async () => {
      const rows = await events(`service=${search}&kind=instance.lost_cleared`);
      return rows.length > 0 ? rows : undefined;
    }, 5_000, 'the dismissal in history');
    expect(cleared).toMatchObject({ instance: `${search}-1`, actor: 'token:lost-operator', detail: 'loss dismissed by token:lost-operator' });
    expect((await stack.server.fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${operator}` } })).status).toBe(404);
  });
});
