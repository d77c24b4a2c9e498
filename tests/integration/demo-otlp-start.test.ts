import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '@/demo/fleet';
import { httpCallReporter } from '@/demo/stats';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

/** How long the intake lets a span wait for its other side (traces-intake.ts's default). */
const PAIR_TTL_MS = 15_000;

let etcd: TestEtcd;
let server: TestServer;
let fleet: Fleet | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await server?.stop();
  await etcd?.stop();
});

const pairing = async (outcome: 'paired' | 'expired' | 'server_alone'): Promise<number> => {
  const found = new RegExp(`switchyard_otlp_span_pairing\\{outcome="${outcome}"\\} (\\d+)`).exec(await (await server.fetch('/metrics')).text());
  if (!found) throw new Error(`no span pairing count for ${outcome} on /metrics`);
  return Number(found[1]);
};

describe('the demo fleet, started before its reporters’ token exists (as `npm run demo` starts it)', () => {
  it('loses no client span: no call has one half of its spans refused and the other accepted', async () => {
    // demo/main.ts starts the fleet, then the dashboard, then makes the token: until then every
    // export is refused (401, which the SDK does not retry).
    const token: { value?: string } = {};
    fleet = await startFleet(etcd.client, {
      rps: 20,
      reporter: httpCallReporter(`${server.url}/api/v1/ingest/calls`, () => token.value, () => undefined),
      reportIntervalMs: 1_000,
      otlp: { url: server.url, token: () => token.value, exportIntervalMs: 1_500 },
      log: () => undefined,
    });
    const running = fleet;
    // Calls between OTLP services are made (orders → shipping, → users) while no token exists.
    const served = (service: string): number => running.instancesOf(service).reduce((sum, instance) => sum + instance.requestsServed(), 0);
    await eventually(() => (served('shipping') >= 5 && served('users') >= 5 ? true : undefined), 30_000, 'calls before the token');
    token.value = await server.createToken({ name: 'demo-late', role: 'viewer' });
    await eventually(async () => ((await pairing('paired')) > 0 ? true : undefined), 30_000, 'pairs after the token');

    // A server span whose client span was refused waits a pair TTL alone, then settles as a server
    // span alone (its call on no edge): watched for that long after the first pairs, and a little more.
    const watchedUntil = Date.now() + PAIR_TTL_MS + 5_000;
    let alone = 0;
    while (Date.now() < watchedUntil && alone === 0) {
      alone = await pairing('server_alone');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(alone).toBe(0);
    expect(await pairing('expired')).toBe(0);
  }, 120_000);
});
