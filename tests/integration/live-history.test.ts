import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { isFailureEvent, isFailureListRow } from '@/lib/model/history-query';
import type { HistoryFollow } from '@/lib/model/live';
import { followHistory } from '@/lib/client/historyFollow';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { openLiveSocket, type LiveClient } from '../support/live-views';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';

let etcd: TestEtcd;
let server: TestServer;
const clients: LiveClient[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server?.stop();
  await etcd?.stop();
});

/** A socket recording the history events it gets; `views` as the browser connects. */
async function connect(views: boolean, options: { reconnection?: boolean } = {}) {
  const socket = openLiveSocket(server, { views, ...options });
  clients.push(socket);
  const events: HistoryEvent[] = [];
  socket.on('history:events', (batch) => events.push(...batch));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const follow = (request: HistoryFollow | unknown) => new Promise<{ ok: boolean; error?: string }>((resolve) => socket.emit('history:follow', request as HistoryFollow, resolve));
  return { socket, events, follow };
}

const registered = (events: HistoryEvent[], instance: string): HistoryEvent[] => events.filter((event) => event.kind === 'instance.registered' && event.instance === instance);

describe('history events go to the sockets that follow them', () => {
  it('a view socket gets what it follows, once; a program socket gets everything as before', async () => {
    // Services of their own per attempt: a retry's registrations, written again unchanged, would record no event.
    const alpha = perAttempt('alpha');
    const beta = perAttempt('beta');
    const none = await connect(true);
    const alphaOnly = await connect(true);
    const everything = await connect(true);
    const program = await connect(false);
    expect(await alphaOnly.follow({ service: alpha })).toEqual({ ok: true });
    expect(await everything.follow({})).toEqual({ ok: true });
    // Following a service as well as everything must not send its events twice.
    expect(await everything.follow({ service: alpha })).toEqual({ ok: true });

    await etcd.put(`/services/${alpha}/a-1`, JSON.stringify({ address: '10.0.3.7:9001' }));
    await etcd.put(`/services/${beta}/b-1`, JSON.stringify({ address: '10.0.3.8:9002' }));
    for (const socket of [everything, program]) {
      await eventually(() => (registered(socket.events, 'a-1').length > 0 && registered(socket.events, 'b-1').length > 0 ? true : undefined));
    }
    await eventually(() => (registered(alphaOnly.events, 'a-1').length > 0 ? true : undefined));
    // Messages to one socket keep their order: b-1's event reached the others after a-1's; a last put flushes.
    await etcd.put(`/services/${alpha}/a-2`, JSON.stringify({ address: '10.0.3.9:9001' }));
    await eventually(() => (registered(alphaOnly.events, 'a-2').length > 0 && registered(everything.events, 'a-2').length > 0 ? true : undefined));

    expect(none.events).toEqual([]);
    expect(alphaOnly.events.every((event) => event.service === alpha)).toBe(true);
    expect(registered(everything.events, 'a-1')).toHaveLength(1);
    expect(registered(everything.events, 'a-2')).toHaveLength(1);
    expect(registered(program.events, 'b-1')).toHaveLength(1);
    for (const socket of [none, alphaOnly, everything, program]) socket.socket.close();
  });

  it('a failures feed gets only the rows failures are read from (failures, deregistrations) of what it follows, once, beside a feed of every kind', async () => {
    // A service of its own per attempt: a retry's o-1, written again unchanged, would record no event.
    const omega = perAttempt('omega');
    const everyKind = await connect(true);
    const failuresOnly = await connect(true);
    const both = await connect(true);
    expect(await everyKind.follow({ service: omega })).toEqual({ ok: true });
    expect(await failuresOnly.follow({ service: omega, failures: true })).toEqual({ ok: true });
    expect(await both.follow({ service: omega, failures: true })).toEqual({ ok: true });
    expect(await both.follow({ service: omega })).toEqual({ ok: true });

    await etcd.put(`/services/${omega}/o-1`, JSON.stringify({ address: '10.0.3.20:9005' }));
    // A lease that runs out: its instance's deregistration is a failure (the service page's recent failures list it).
    await etcd.put(`/services/${omega}/o-2`, JSON.stringify({ address: '10.0.3.21:9005' }), 1);
    const expiry = await eventually(() => everyKind.events.find((event) => event.instance === 'o-2' && (event.kind === 'instance.deregistered' || event.kind === 'instance.lost')), 20_000, 'o-2 gone');
    expect(isFailureEvent(expiry)).toBe(true);
    await eventually(() => (failuresOnly.events.some((event) => event.id === expiry.id) ? true : undefined));
    await eventually(() => (both.events.some((event) => event.id === expiry.id) ? true : undefined));

    expect(registered(everyKind.events, 'o-1')).toHaveLength(1);
    expect(failuresOnly.events.map((event) => event.id)).toEqual(everyKind.events.filter(isFailureListRow).map((event) => event.id));
    // Following a service of every kind beside its failures gets each event once, in order.
    expect(both.events.map((event) => event.id)).toEqual(everyKind.events.map((event) => event.id));
    for (const socket of [everyKind, failuresOnly, both]) socket.socket.close();
  });

  it('bad and excess requests are refused through the acknowledgement, and the socket stays', async () => {
    const socket = await connect(true);
    expect(await socket.follow({ service: 'x'.repeat(300) })).toEqual({ ok: false, error: 'invalid request' });
    expect(await socket.follow({ service: 42 })).toEqual({ ok: false, error: 'invalid request' });
    expect(await socket.follow(null)).toEqual({ ok: false, error: 'invalid request' });
    expect(await socket.follow({ failures: true })).toEqual({ ok: false, error: 'invalid request' });
    const answers: { ok: boolean; error?: string }[] = [];
    for (let service = 0; service < 35; service++) answers.push(await socket.follow({ service: `s-${service}` }));
    expect(answers.filter((answer) => answer.ok)).toHaveLength(32);
    expect(answers.at(-1)).toEqual({ ok: false, error: 'at most 32 service feeds per connection' });
    expect(socket.socket.connected).toBe(true);
    socket.socket.close();
  });

  it('the browser\'s follow is renewed after a reconnect and ended by its last holder', async () => {
    // Services of their own per attempt: a retry's registrations, written again unchanged, would record no event.
    const gamma = perAttempt('gamma');
    const delta = perAttempt('delta');
    const tab = await connect(true, { reconnection: true });
    const releaseFirst = followHistory(tab.socket, gamma);
    const releaseSecond = followHistory(tab.socket, gamma);
    await etcd.put(`/services/${gamma}/g-1`, JSON.stringify({ address: '10.0.3.11:9003' }));
    await eventually(() => (registered(tab.events, 'g-1').length > 0 ? true : undefined));

    // A new connection follows nothing until the tab follows again.
    const reconnected = new Promise<void>((resolve) => tab.socket.io.once('reconnect', () => resolve()));
    tab.socket.io.engine.close();
    await reconnected;
    await etcd.put(`/services/${gamma}/g-2`, JSON.stringify({ address: '10.0.3.12:9003' }));
    await eventually(() => (registered(tab.events, 'g-2').length > 0 ? true : undefined));

    releaseFirst();
    await etcd.put(`/services/${gamma}/g-3`, JSON.stringify({ address: '10.0.3.13:9003' }));
    await eventually(() => (registered(tab.events, 'g-3').length > 0 ? true : undefined));
    releaseSecond();
    // The unfollow and then a marker: a program socket sees the marker's event after g-4's, the tab none of them.
    const program = await connect(false);
    await etcd.put(`/services/${gamma}/g-4`, JSON.stringify({ address: '10.0.3.14:9003' }));
    await eventually(() => (registered(program.events, 'g-4').length > 0 ? true : undefined));
    const followed = await tab.follow({ service: delta });
    expect(followed).toEqual({ ok: true });
    await etcd.put(`/services/${delta}/d-1`, JSON.stringify({ address: '10.0.3.15:9004' }));
    await eventually(() => (registered(tab.events, 'd-1').length > 0 ? true : undefined));
    expect(registered(tab.events, 'g-4')).toEqual([]);
    tab.socket.close();
    program.socket.close();
  });
});
