import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceSchema, type Instance } from '@/lib/model/instance';
import { FRAMEWORK_FIXTURES } from '@/lib/server/registry/formats/framework-fixtures';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { buildGoRegister, type GoRegisterProgram } from '../support/go-register';
import { eventually, startServer, type TestServer } from '../support/server';

const ServicesBody = z.object({ services: z.array(ServiceSchema) });
const DiagnosticsBody = z.object({ unrecognised: z.array(z.object({ prefix: z.string(), count: z.number(), sampleKey: z.string() })) });

let etcd: TestEtcd;
let server: TestServer;
let go: GoRegisterProgram | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: [etcd.endpoint] });
}, 120_000);

afterAll(async () => {
  go?.remove();
  await server?.stop();
  await etcd?.stop();
});

async function instances(): Promise<Instance[]> {
  const body = ServicesBody.parse(await (await server.fetch('/api/v1/services')).json());
  return body.services.flatMap((service) => service.instances);
}

const ofKey = (instance: Instance, key: string): boolean => instance.key === key || instance.key.startsWith(`${key}#`);
const byKey = async (key: string): Promise<Instance[]> => (await instances()).filter((instance) => ofKey(instance, key));

async function unrecognised(): Promise<z.infer<typeof DiagnosticsBody>['unrecognised']> {
  return DiagnosticsBody.parse(await (await server.fetch('/api/v1/diagnostics')).json()).unrecognised;
}
const unrecognisedKeys = async (): Promise<string[]> => (await unrecognised()).map((entry) => entry.sampleKey);

describe('registrations as the frameworks write them, through real etcd and the real server', () => {
  it('lists every framework fixture under the right service and id, and leaves none unrecognised', async () => {
    for (const fixture of FRAMEWORK_FIXTURES) await etcd.put(fixture.key, fixture.value, fixture.lease === undefined ? undefined : 120);
    const expected = FRAMEWORK_FIXTURES.flatMap((fixture) => fixture.instances.map((instance) => ({ format: fixture.format, ...instance }))).sort(byJson);
    // The fixtures' keys only: the file's other tests register services of their own, whichever ran first.
    const fixtureKeys = FRAMEWORK_FIXTURES.map((fixture) => fixture.key);
    const seen = await eventually(
      async () => {
        const listed = (await instances())
          .filter((instance) => fixtureKeys.some((key) => ofKey(instance, key)))
          .map(({ format, service, id, address }) => ({ format, service, id, address }))
          .sort(byJson);
        return listed.length === expected.length ? listed : undefined;
      },
      15_000,
      'every fixture listed',
    );
    expect(seen).toEqual(expected);
    expect((await unrecognised()).filter((entry) => fixtureKeys.some((key) => key.startsWith(entry.prefix)))).toEqual([]);
  });

  it('keeps each go-micro node’s id and address when the nodes are reordered and shrunk', async () => {
    const key = '/micro/registry/cart/cart-node-a';
    const node = (id: string, port: number): object => ({ id, address: `10.9.0.${port}:7000`, metadata: null });
    const put = (nodes: object[]): Promise<unknown> => etcd.put(key, JSON.stringify({ name: 'cart', version: '1', metadata: null, endpoints: null, nodes }), 60);
    const idsToAddresses = async (count: number): Promise<string[] | undefined> => {
      const listed = (await byKey(key)).map((instance) => `${instance.id}=${instance.address}`).sort();
      return listed.length === count ? listed : undefined;
    };
    await put([node('a', 1), node('b', 2), node('c', 3)]);
    const all = await eventually(() => idsToAddresses(3), 10_000, 'three nodes');
    expect(all).toEqual(['a=10.9.0.1:7000', 'b=10.9.0.2:7000', 'c=10.9.0.3:7000']);
    await put([node('c', 3), node('a', 1), node('b', 2)]);
    await put([node('b', 2)]);
    expect(await eventually(() => idsToAddresses(1), 10_000, 'one node')).toEqual(['b=10.9.0.2:7000']);
  });
});

describe('a Go program registering with etcd’s own clientv3, the way the seeds do', () => {
  it('shows the one-key service and the tutorial keys under the right names, marks the unleased one, leaves an unleased one-key service to diagnostics', async () => {
    go = await buildGoRegister();
    const registrar = await go.start({
      endpoint: etcd.endpoint,
      ttlSeconds: 10,
      leased: { '/my-service': 'http://127.0.0.1:18080', '/tutorial/orders/127.0.0.1:19000': '127.0.0.1:19000' },
      unleased: { '/unleased-service': 'http://127.0.0.1:18081', '/tutorial/orders/127.0.0.1:19001': '127.0.0.1:19001' },
    });
    const oneKey = await eventually(async () => (await byKey('/my-service'))[0], 10_000, 'the one-key service');
    expect(oneKey).toMatchObject({ service: 'my-service', id: '127.0.0.1:18080', address: '127.0.0.1:18080', format: 'generic' });
    expect(oneKey.unleased).toBeUndefined();
    expect((await byKey('/tutorial/orders/127.0.0.1:19000'))[0]).toMatchObject({ service: 'orders', id: '127.0.0.1:19000', format: 'plain' });
    const unleasedTutorial = await eventually(async () => (await byKey('/tutorial/orders/127.0.0.1:19001'))[0], 10_000, 'the unleased tutorial key');
    expect(unleasedTutorial).toMatchObject({ service: 'orders', format: 'plain', unleased: true });
    expect(await byKey('/unleased-service')).toEqual([]);
    expect(await unrecognisedKeys()).toContain('/unleased-service');

    expect(await registrar.stop()).toBe(0);
    await eventually(async () => ((await byKey('/my-service')).length === 0 ? true : undefined), 10_000, 'the revoked registration gone');
  }, 360_000);
});

function byJson(a: object, b: object): number {
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
}
