import { describe, expect, it } from 'vitest';
import type { Service } from '@/lib/model/instance';
import type { SharedDeparture } from '@/lib/model/topology/shared-departure';
import { serverForFile } from '../support/file-server';
import { startLeasedService, type LeasedService } from '../support/leased-service';
import { eventually } from '../support/server';

const LEASE_TTL_SECONDS = 3;
const PROBE_INTERVAL_MS = 500;
const DEPARTED_CHECK_SECONDS = 2;
/** A loaded 2-core machine runs timers, probes and etcd answers this late. */
const SLACK_MS = 5_000;

const processes: LeasedService[] = [];
// A server of its own: the rule weighs the whole registered fleet, so another test's services would change the verdict.
const stack = serverForFile({
  env: { SWITCHYARD_PROBE_INTERVAL_MS: String(PROBE_INTERVAL_MS), SWITCHYARD_DEPARTED_CHECK_SECONDS: String(DEPARTED_CHECK_SECONDS) },
  stopFirst: () => Promise.allSettled(processes.map((process) => process.kill())),
});

const launch = async (service: string): Promise<LeasedService> => {
  const started = await startLeasedService({ etcdEndpoint: stack.etcd.endpoint, service, id: `${service}-1`, leaseTtlSeconds: LEASE_TTL_SECONDS });
  processes.push(started);
  return started;
};

const passing = async (): Promise<number> => ((await (await stack.server.fetch('/api/v1/services')).json()) as { services: Service[] }).services.filter((service) => service.status === 'passing').length;
const likelyCause = async () => (await (await stack.server.fetch('/api/v1/topology?origins=only')).json()) as { origins: unknown[]; sharedDeparture: SharedDeparture | null };

describe('most of the fleet losing its etcd sessions together, on a real server with real leases', () => {
  it('is said by the origins answer while the still-serving check runs, then as still serving', async () => {
    const [ledger, billing] = [await launch('ledger'), await launch('billing'), await launch('audit')];
    await eventually(async () => ((await passing()) === 3 ? true : undefined), 20_000, 'three services passing');
    expect((await likelyCause()).sharedDeparture).toBeNull();
    const cutAt = Date.now();
    ledger?.loseEtcd();
    billing?.loseEtcd();
    const checking = await eventually(async () => (await likelyCause()).sharedDeparture ?? undefined, LEASE_TTL_SECONDS * 1_000 + SLACK_MS, 'a shared departure under check');
    expect(checking).toMatchObject({ services: 2, checking: true });
    expect(Date.parse(checking.at)).toBeGreaterThanOrEqual(cutAt);
    const confirmed = await eventually(
      async () => {
        const { sharedDeparture } = await likelyCause();
        return sharedDeparture?.checking === false ? sharedDeparture : undefined;
      },
      2 * DEPARTED_CHECK_SECONDS * 1_000 + SLACK_MS,
      'the shared departure confirmed still serving',
    );
    expect(confirmed).toEqual({ ...checking, checking: false });
    expect((await likelyCause()).origins).toEqual([]);
  });
});
