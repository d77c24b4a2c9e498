import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDelta, SubscribeRequest, SummaryDelta, SummarySnapshot, ServiceSnapshot } from '@/lib/model/live';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { openLiveSocket, type LiveClient } from '../support/live-views';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';
import { receiveSummary } from '@/lib/model/summary-parts';

let etcd: TestEtcd;
let server: TestServer;
const clients: LiveClient[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  await etcd.put('/services/alpha/a-1', JSON.stringify({ address: '10.0.3.7:9001', metadata: { team: 'secret-team' } }));
  await etcd.put('/services/beta/b-1', JSON.stringify({ address: '10.0.3.8:9002' }));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server?.stop();
  await etcd?.stop();
});

/** A socket that records every view message it gets. */
function connect() {
  const socket = openLiveSocket(server);
  clients.push(socket);
  const got = { summarySnapshots: [] as SummarySnapshot[], summaryDeltas: [] as SummaryDelta[], serviceSnapshots: [] as ServiceSnapshot[], serviceDeltas: [] as ServiceDelta[] };
  // As a tab receives them: each delta after the snapshot sent before it, though snapshots inflate asynchronously.
  const summary = receiveSummary(
    (snapshot) => got.summarySnapshots.push(snapshot),
    (message) => got.summaryDeltas.push(message),
  );
  socket.on('summary:snapshot', summary.part);
  socket.on('summary:delta', summary.delta);
  socket.on('service:snapshot', (message) => got.serviceSnapshots.push(message));
  socket.on('service:delta', (message) => got.serviceDeltas.push(message));
  const subscribe = (request: SubscribeRequest | unknown) =>
    new Promise<{ ok: boolean; error?: string }>((resolve) => socket.emit('live:subscribe', request as SubscribeRequest, resolve));
  return { socket, got, subscribe };
}

const upsertedIds = (deltas: ServiceDelta[]): string[] => deltas.flatMap((d) => d.changes).flatMap((c) => (c.op === 'upsert' ? [c.instance.id] : []));

describe('per-view live updates on the real server', () => {
  it('a summary snapshot lists every service without any instance data, in gzip-compressed parts', async () => {
    const viewer = connect();
    const wire: Uint8Array[] = [];
    viewer.socket.on('summary:snapshot', (part) => wire.push(new Uint8Array(part)));
    expect(await viewer.subscribe({ view: 'summary' })).toEqual({ ok: true });
    const snapshot = await eventually(() => viewer.got.summarySnapshots[0]);
    // gzip's magic bytes open every part.
    expect(wire.map((part) => [part[0], part[1]])).toEqual([[0x1f, 0x8b]]);
    // Later tests add services of their own: whatever ran before, the file's two are listed with their one instance each.
    expect(snapshot.services.map((s) => [s.name, s.instances])).toEqual(expect.arrayContaining([['alpha', 1], ['beta', 1]]));
    // The services, not the whole snapshot: its epoch is a random UUID ("65805faa-104c-…" holds "a-1").
    // And without their causes: a cause may name the worst instance ("a-1: connect …") once a probe
    // fails, which can come before the subscription; everything else in a summary is the service's.
    expect(JSON.stringify(snapshot.services)).not.toContain('secret-team');
    const withoutCauses = JSON.stringify(snapshot.services.map(({ cause: _cause, ...summary }) => summary));
    for (const instanceData of ['a-1', '10.0.3.7', 'secret-team']) expect(withoutCauses).not.toContain(instanceData);
    viewer.socket.close();
  });

  it('a put to one service reaches its room and the summary, not another service\'s room', async () => {
    // Services of its own per attempt: a retry's would already hold a-2 and b-2, and a put written
    // again unchanged sends no delta.
    const alpha = perAttempt('alpha');
    const beta = perAttempt('beta');
    await etcd.put(`/services/${alpha}/a-1`, JSON.stringify({ address: '10.0.3.7:9001' }));
    await etcd.put(`/services/${beta}/b-1`, JSON.stringify({ address: '10.0.3.8:9002' }));
    await eventually(async () => ((await server.fetch(`/api/v1/services/${alpha}`)).ok && (await server.fetch(`/api/v1/services/${beta}`)).ok ? true : undefined), 10_000, 'both listed');
    const alphaViewer = connect();
    const betaViewer = connect();
    expect(await alphaViewer.subscribe({ view: 'summary' })).toEqual({ ok: true });
    expect(await alphaViewer.subscribe({ view: 'service', service: alpha })).toEqual({ ok: true });
    expect(await betaViewer.subscribe({ view: 'service', service: beta })).toEqual({ ok: true });
    const alphaSnapshot = await eventually(() => alphaViewer.got.serviceSnapshots[0]);
    expect(alphaSnapshot.instances.map((i) => i.id)).toEqual(['a-1']);
    expect((await eventually(() => betaViewer.got.serviceSnapshots[0])).instances.map((i) => i.id)).toEqual(['b-1']);

    await etcd.put(`/services/${alpha}/a-2`, JSON.stringify({ address: '10.0.3.9:9001' }));
    const alphaDelta = await eventually(() => alphaViewer.got.serviceDeltas.find((d) => upsertedIds([d]).includes('a-2')));
    expect(alphaDelta.service).toBe(alpha);
    expect(alphaDelta.prev).toBeLessThanOrEqual(alphaSnapshot.seq);
    const summaryDelta = await eventually(() => alphaViewer.got.summaryDeltas.find((d) => d.upserts.some((s) => s.name === alpha && s.instances === 2)));
    expect(summaryDelta.seq).toBe(alphaDelta.seq);

    // A metadata change alters the instance but not the summary: the service room hears it, the summary does not.
    await etcd.put(`/services/${alpha}/a-2`, JSON.stringify({ address: '10.0.3.9:9001', metadata: { build: '2' } }));
    const metadataDelta = await eventually(() => alphaViewer.got.serviceDeltas.find((d) => d.seq > alphaDelta.seq));
    // beta's room hears beta's put, and messages to a socket keep their order: anything for alpha would have come first.
    await etcd.put(`/services/${beta}/b-2`, JSON.stringify({ address: '10.0.3.10:9002' }));
    await eventually(() => betaViewer.got.serviceDeltas.find((d) => upsertedIds([d]).includes('b-2')));
    await eventually(() => alphaViewer.got.summaryDeltas.find((d) => d.upserts.some((s) => s.name === beta)));
    expect(betaViewer.got.serviceDeltas.every((d) => d.service === beta && upsertedIds([d]).every((id) => id.startsWith('b-')))).toBe(true);
    expect(betaViewer.got.summaryDeltas).toEqual([]);
    expect(alphaViewer.got.serviceDeltas.every((d) => d.service === alpha)).toBe(true);
    expect(alphaViewer.got.summaryDeltas.some((d) => d.seq === metadataDelta.seq)).toBe(false);
    alphaViewer.socket.close();
    betaViewer.socket.close();
  });

  it('a resume after missed changes gets one catch-up delta per view, not a snapshot; another run\'s epoch gets a snapshot', async () => {
    // A service of its own per attempt: a retry's gamma would already hold g-1.
    const gamma = perAttempt('gamma');
    const first = connect();
    await first.subscribe({ view: 'summary' });
    await first.subscribe({ view: 'service', service: gamma });
    const summaryAt = await eventually(() => first.got.summarySnapshots[0]);
    const gammaAt = await eventually(() => first.got.serviceSnapshots[0]);
    expect(gammaAt.instances).toEqual([]);
    first.socket.close();

    // An observer sees the change go out before the client comes back: it can only reach it as a catch-up.
    const observer = connect();
    await observer.subscribe({ view: 'service', service: gamma });
    await eventually(() => observer.got.serviceSnapshots[0]);
    await etcd.put(`/services/${gamma}/g-1`, JSON.stringify({ address: '10.0.4.1:9003' }));
    await eventually(() => observer.got.serviceDeltas.find((d) => upsertedIds([d]).includes('g-1')));

    const back = connect();
    await back.subscribe({ view: 'summary', resume: { epoch: summaryAt.epoch, seq: summaryAt.seq } });
    await back.subscribe({ view: 'service', service: gamma, resume: { epoch: gammaAt.epoch, seq: gammaAt.seq } });
    const summaryCatchUp = await eventually(() => back.got.summaryDeltas[0]);
    const gammaCatchUp = await eventually(() => back.got.serviceDeltas[0]);
    expect(summaryCatchUp).toMatchObject({ prev: summaryAt.seq, registry: { state: 'synced' } });
    expect(summaryCatchUp.upserts.find((s) => s.name === gamma)).toMatchObject({ instances: 1 });
    expect(gammaCatchUp).toMatchObject({ service: gamma, prev: gammaAt.seq });
    expect(upsertedIds([gammaCatchUp])).toEqual(['g-1']);
    expect(back.got.summarySnapshots).toEqual([]);
    expect(back.got.serviceSnapshots).toEqual([]);

    const otherRun = connect();
    await otherRun.subscribe({ view: 'service', service: gamma, resume: { epoch: 'another-run', seq: gammaAt.seq } });
    expect((await eventually(() => otherRun.got.serviceSnapshots[0])).instances.map((i) => i.id)).toEqual(['g-1']);
    for (const client of [observer, back, otherRun]) client.socket.close();
  });

  it('refuses invalid requests and more than 32 service views per socket without dropping the connection', async () => {
    const confused = connect();
    for (const bad of [{ view: 'everything' }, { view: 'service', service: 'x'.repeat(257) }, { view: 'service' }, 'summary', null]) {
      expect(await confused.subscribe(bad)).toEqual({ ok: false, error: 'invalid request' });
    }
    expect(confused.socket.connected).toBe(true);
    confused.socket.close();
    const viewer = connect();
    for (let index = 0; index < 32; index++) expect(await viewer.subscribe({ view: 'service', service: `svc-${index}` })).toEqual({ ok: true });
    expect(await viewer.subscribe({ view: 'service', service: 'svc-32' })).toMatchObject({ ok: false, error: expect.stringContaining('at most 32') });
    // Subscribing again to a view it has is no new view.
    expect(await viewer.subscribe({ view: 'service', service: 'svc-0' })).toEqual({ ok: true });
    await new Promise((resolve) => viewer.socket.emit('live:unsubscribe', { view: 'service', service: 'svc-0' }, resolve));
    expect(await viewer.subscribe({ view: 'service', service: 'svc-32' })).toEqual({ ok: true });
    expect(viewer.socket.connected).toBe(true);
    viewer.socket.close();
  });

  it('rate-limits (un)subscribes per socket', async () => {
    const viewer = connect();
    const answers = await Promise.all(Array.from({ length: 120 }, () => viewer.subscribe({ view: 'summary' })));
    expect(answers.filter((answer) => answer.error === 'too many requests').length).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.ok).length).toBeGreaterThan(2);
    // Refused requests cost the server nothing, and the accepted ones share paced snapshots: one at
    // once, one when the interval is over (lib/server/live-views.test.ts proves no more follow).
    await eventually(() => (viewer.got.summarySnapshots.length >= 2 ? true : undefined));
    expect(viewer.got.summarySnapshots).toHaveLength(2);
    expect(viewer.socket.connected).toBe(true);
    viewer.socket.close();
  });
});
