import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import type { ServiceSnapshot, SubscribeRequest, SummarySnapshot, UnsubscribeRequest } from '@/lib/model/live';
import { summarizeInstances } from '@/lib/model/service-summary';
import { createViewClient, RESUME_RETRY_MS } from './viewClient';

const instance = (service: string, id: string, patch: Partial<Instance> = {}): Instance => ({
  id, service, key: `/services/${service}/${id}`, address: '127.0.0.1:1', format: 'native', metadata: {}, status: 'passing', drain: null, ...patch,
});
const registry = { state: 'synced' as const, since: '2026-01-01T00:00:00Z' };
const summarySnapshot = (seq: number): SummarySnapshot => ({ epoch: 'run-1', seq, revision: String(seq), registry, services: [summarizeInstances('orders', [instance('orders', 'a')])] });
const serviceSnapshot = (seq: number, service = 'orders'): ServiceSnapshot => ({ epoch: 'run-1', seq, revision: String(seq), service, instances: [instance(service, 'a')] });

function setup(connected = true) {
  const sent: (['subscribe', SubscribeRequest] | ['unsubscribe', UnsubscribeRequest])[] = [];
  let time = 0;
  const state = { connected };
  const client = createViewClient(
    { subscribe: (request) => sent.push(['subscribe', request]), unsubscribe: (request) => sent.push(['unsubscribe', request]), connected: () => state.connected },
    () => time,
  );
  return { client, sent, state, advance: (ms: number) => (time += ms) };
}

describe('view client', () => {
  it('subscribes a service once for every holder and unsubscribes when the last one lets go', () => {
    const { client, sent } = setup();
    const releaseA = client.holdService('orders');
    const releaseB = client.holdService('orders');
    expect(sent).toEqual([['subscribe', { view: 'service', service: 'orders' }]]);
    releaseA();
    releaseA();
    expect(sent).toHaveLength(1);
    releaseB();
    expect(sent[1]).toEqual(['unsubscribe', { view: 'service', service: 'orders' }]);
  });

  it('resumes from a server-rendered seed instead of asking for a snapshot', () => {
    const { client, sent } = setup();
    client.holdSummary(summarySnapshot(7));
    client.holdService('orders', serviceSnapshot(7));
    expect(sent).toEqual([
      ['subscribe', { view: 'summary', resume: { epoch: 'run-1', seq: 7 } }],
      ['subscribe', { view: 'service', service: 'orders', resume: { epoch: 'run-1', seq: 7 } }],
    ]);
    expect(client.service('orders')?.instances.size).toBe(1);
  });

  it('applies deltas by the rule, and a gap re-subscribes with resume once until answered or the retry passes', () => {
    const { client, sent, advance } = setup();
    client.holdService('orders');
    let heard = 0;
    client.onService('orders', () => (heard += 1));
    client.serviceSnapshot(serviceSnapshot(10));
    client.serviceDelta({ service: 'orders', seq: 12, prev: 4, revision: '12', changes: [{ op: 'upsert', instance: instance('orders', 'b') }] });
    client.serviceDelta({ service: 'orders', seq: 12, prev: 4, revision: '12', changes: [{ op: 'remove', service: 'orders', key: '/services/orders/b' }] });
    expect([...(client.service('orders')?.instances.keys() ?? [])]).toEqual(['/services/orders/a', '/services/orders/b']);
    expect(heard).toBe(2);
    sent.length = 0;
    client.serviceDelta({ service: 'orders', seq: 15, prev: 14, revision: '15', changes: [] });
    client.serviceDelta({ service: 'orders', seq: 16, prev: 15, revision: '16', changes: [] });
    expect(sent).toEqual([['subscribe', { view: 'service', service: 'orders', resume: { epoch: 'run-1', seq: 12 } }]]);
    advance(RESUME_RETRY_MS);
    client.serviceDelta({ service: 'orders', seq: 17, prev: 16, revision: '17', changes: [] });
    expect(sent).toHaveLength(2);
    expect(client.service('orders')?.seq).toBe(12);
  });

  it('ignores messages for views it does not hold', () => {
    const { client } = setup();
    client.serviceSnapshot(serviceSnapshot(3, 'users'));
    client.summarySnapshot(summarySnapshot(3));
    expect(client.service('users')).toBeNull();
    expect(client.summary()).toBeNull();
  });

  it('subscribes nothing while disconnected, then every held view with resume on connect', () => {
    const { client, sent, state } = setup(false);
    client.holdSummary(summarySnapshot(5));
    client.holdService('orders');
    const releaseUsers = client.holdService('users');
    releaseUsers();
    expect(sent).toEqual([]);
    state.connected = true;
    client.connected();
    expect(sent).toEqual([
      ['subscribe', { view: 'summary', resume: { epoch: 'run-1', seq: 5 } }],
      ['subscribe', { view: 'service', service: 'orders' }],
    ]);
  });

  it('takes a newer seed but never an older one', () => {
    const { client } = setup();
    client.holdSummary(summarySnapshot(9));
    client.summaryDelta({ seq: 11, prev: 9, revision: '11', upserts: [], removes: ['orders'] });
    client.holdSummary(summarySnapshot(10));
    expect(client.summary()?.seq).toBe(11);
    client.holdSummary({ ...summarySnapshot(2), epoch: 'run-2' });
    expect(client.summary()).toMatchObject({ epoch: 'run-2', seq: 2 });
  });
});
