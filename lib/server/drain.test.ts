import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDrainService } from './drain';
import { createStore, STAND_IN_KEY_PREFIX, type Store } from './store/store';

let store: Store;
let client: Etcd3;
afterEach(() => {
  client.close();
  store.close();
});

const lost = { at: '2026-12-03T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC', passingBefore: 2 };

/** A fleet whose only `users/a` is lost; the refusals come before any etcd request (the client points nowhere and is never asked). */
function setup() {
  store = createStore({ coalesceMs: 0 });
  store.setRegistryStatus({ state: 'synced' });
  store.upsertKey({ etcdKey: '/s/users/b', lease: '7', registrations: [{ service: 'users', id: 'b', address: '10.0.0.2:80', format: 'native', metadata: {} }] });
  store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/s/users/a`, lease: undefined, registrations: [{ service: 'users', id: 'a', address: '10.0.0.1:80', format: 'native', metadata: {}, zone: 'z1', lost }] });
  client = new Etcd3({ hosts: '127.0.0.1:1' });
  return createDrainService({ client, store, controlPrefix: '/switchyard/', record: () => undefined });
}

describe('drain service and lost instances', () => {
  it('does not find a lost instance to drain: its stand-in has nothing left in rotation', async () => {
    const drains = setup();
    expect(await drains.drain('users', 'a', { reason: 'deploy' }, 'alice')).toMatchObject({ ok: false, status: 404, code: 'not_found' });
  });

  it('names the ids a service has when asked for one it lacks, and an unknown service as unknown', async () => {
    const drains = setup();
    expect(await drains.drain('users', 'users-2', { reason: 'deploy' }, 'alice')).toMatchObject({ status: 404, message: 'no instance "users-2" in service "users"; its 1 registered: b' });
    expect(await drains.undrain('users', 'users-2', 'alice')).toMatchObject({ status: 404, message: 'no instance "users-2" in service "users"; its 1 registered: b' });
    expect(await drains.drain('payments', 'payments-2', { reason: 'deploy' }, 'alice')).toMatchObject({ status: 404, message: 'no service "payments" is registered' });
  });

  it("says the registry is catching up or relisting, not still connecting to etcd, from the status's phase", async () => {
    const drains = setup();
    store.setRegistryStatus({ state: 'connecting', phase: 'catching-up', message: 'listed at revision 812; applying the 9000 watch events that arrived meanwhile' });
    const refused = await drains.drain('users', 'b', { reason: 'deploy' }, 'alice');
    expect(refused).toMatchObject({ ok: false, status: 503, code: 'registry_unavailable' });
    expect(refused.ok ? '' : refused.message).toMatch(/^the registry is catching up with etcd after listing it \(since .*\) \(listed at revision 812; .*\); .*Try again once the registry is synced\.$/);
    store.setRegistryStatus({ state: 'connecting', phase: 'relisting', message: 'relisting: applying the listing failed: broken' });
    const relisting = await drains.drain('users', 'b', { reason: 'deploy' }, 'alice');
    expect(relisting.ok ? '' : relisting.message).toMatch(/^the registry is relisting etcd after a failure of its own/);
    store.setRegistryStatus({ state: 'connecting' });
    const connecting = await drains.drain('users', 'b', { reason: 'deploy' }, 'alice');
    expect(connecting.ok ? '' : connecting.message).toMatch(/^Switchyard is still connecting to etcd/);
    // The message is for people: without a phase, words that look like one do not make it one.
    store.setRegistryStatus({ state: 'connecting', message: 'listed at revision 812 by hand' });
    const worded = await drains.drain('users', 'b', { reason: 'deploy' }, 'alice');
    expect(worded.ok ? '' : worded.message).toMatch(/^Switchyard is still connecting to etcd.*Try again once etcd is back\.$/);
  });

  it('leaves lost instances out of a bulk drain', async () => {
    const drains = setup();
    expect(await drains.drainMatching('users', (instance) => instance.zone === 'z1', { reason: 'zone down' }, 'alice', 'zone z1')).toMatchObject({ ok: false, status: 404, code: 'no_match' });
  });
});
