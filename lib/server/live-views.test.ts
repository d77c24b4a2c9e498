import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, SummaryDelta, SummarySnapshot, ViewAck } from '@/lib/model/live';
import type { Registration } from '@/lib/model/registration';
import { receiveSummary } from '@/lib/model/summary-parts';
import { applySummaryDelta, summariesOf, summaryViewFromSnapshot, type SummaryView } from '@/lib/model/views';
import { createManualClock, type ManualClock } from '@/tests/support/manual-clock';
import type { LiveServer } from './live';
import { attachLiveViews, type LiveViews } from './live-views';
import { SNAPSHOT_INTERVAL_MS } from './socket-memory';
import { createStore, type DecodedKey, type Store } from './store/store';
import { compressedSummaryParts } from './summary-snapshot-parts';

type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

const registration = (service: string, id: string): Registration => ({ service, id, address: '127.0.0.1:1', format: 'native', metadata: {} });
const key = (service: string, id: string): DecodedKey => ({ etcdKey: `/services/${service}/${id}`, lease: undefined, registrations: [registration(service, id)] });

/** Compression the test lets finish when it says, recording which snapshots were asked for. */
function heldCompression() {
  const asked: SummarySnapshot[] = [];
  const releases: (() => void)[] = [];
  return {
    asked,
    compress(snapshot: SummarySnapshot): Promise<Uint8Array[]> {
      asked.push(snapshot);
      return new Promise((resolve, reject) => releases.push(() => compressedSummaryParts(snapshot).then(resolve, reject)));
    },
    releaseAll(): void {
      for (const release of releases.splice(0)) release();
    },
  };
}

let store: Store;
let http: HttpServer;
let io: LiveServer;
let views: LiveViews;
let held: ReturnType<typeof heldCompression>;
/** What paces snapshots: moved on by the tests. */
let clock: ManualClock;
const clients: LiveClient[] = [];

beforeEach(async () => {
  store = createStore({ coalesceMs: 0, replayCapacity: 4, clock: createManualClock() });
  store.upsertKey(key('alpha', 'a-1'));
  store.flush();
  held = heldCompression();
  http = createServer();
  io = new Server(http);
  clock = createManualClock();
  views = attachLiveViews(io, store, Date.now, held.compress, clock);
  io.on('connection', views.onConnection);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  views.close();
  await io.close();
  store.close();
});

/** A socket that keeps what the summary view is handed, in order, as a tab's receiver does. */
function viewer() {
  const socket: LiveClient = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  clients.push(socket);
  const handed: (SummarySnapshot | SummaryDelta)[] = [];
  const summary = receiveSummary(
    (snapshot) => handed.push(snapshot),
    (delta) => handed.push(delta),
  );
  socket.on('summary:snapshot', summary.part);
  socket.on('summary:delta', summary.delta);
  const request = (event: 'live:subscribe' | 'live:unsubscribe') => new Promise<Parameters<ViewAck>[0]>((resolve) => socket.emit(event, { view: 'summary' }, resolve));
  return { socket, handed, subscribe: () => request('live:subscribe'), unsubscribe: () => request('live:unsubscribe') };
}

/** The view a client builds from what it was handed: a snapshot first, then every delta applied by the per-view rule. */
function viewFrom(handed: (SummarySnapshot | SummaryDelta)[]): { view: SummaryView; outcomes: string[] } {
  const [first, ...rest] = handed;
  if (!first || !('services' in first)) throw new Error('the first message is not a snapshot');
  let view = summaryViewFromSnapshot(first);
  const outcomes: string[] = [];
  for (const message of rest) {
    if ('services' in message) throw new Error(`a second snapshot at seq ${message.seq}`);
    const result = applySummaryDelta(view, message);
    outcomes.push(result.outcome);
    view = result.view;
  }
  return { view, outcomes };
}

const names = (view: SummaryView): string[] => summariesOf(view).map((summary) => summary.name);

describe('summary snapshots compressed off the event loop', () => {
  it('a summary that changes while the snapshot compresses reaches the viewer as one catch-up after it, then room deltas follow, nothing lost', async () => {
    const client = viewer();
    expect(await client.subscribe()).toEqual({ ok: true });
    await vi.waitFor(() => expect(held.asked).toHaveLength(1));
    const compressing = held.asked[0] as SummarySnapshot;

    store.upsertKey(key('beta', 'b-1'));
    store.flush();
    held.releaseAll();
    await vi.waitFor(() => expect(client.handed).toHaveLength(2));
    expect(client.handed[0]).toMatchObject({ seq: compressing.seq });
    expect(client.handed[1]).toMatchObject({ prev: compressing.seq, upserts: [expect.objectContaining({ name: 'beta' })] });

    store.upsertKey(key('gamma', 'g-1'));
    store.flush();
    await vi.waitFor(() => expect(client.handed).toHaveLength(3));
    const { view, outcomes } = viewFrom(client.handed);
    expect(outcomes).toEqual(['applied', 'applied']);
    expect(names(view)).toEqual(['alpha', 'beta', 'gamma']);
    expect(view.seq).toBe(store.summarySnapshot().seq);
  });

  it('a snapshot whose summaries did not change while compressing comes alone, then the room deltas', async () => {
    const client = viewer();
    await client.subscribe();
    await vi.waitFor(() => expect(held.asked).toHaveLength(1));
    // An instance change that leaves every summary as it was.
    const seqBefore = store.snapshot().seq;
    store.upsertKey({ ...key('alpha', 'a-1'), registrations: [{ ...registration('alpha', 'a-1'), metadata: { build: '2' } }] });
    store.flush();
    expect(store.snapshot().seq).toBeGreaterThan(seqBefore);
    held.releaseAll();
    await vi.waitFor(() => expect(client.handed).toHaveLength(1));
    store.upsertKey(key('beta', 'b-1'));
    store.flush();
    await vi.waitFor(() => expect(client.handed).toHaveLength(2));
    const { view, outcomes } = viewFrom(client.handed);
    expect(outcomes).toEqual(['applied']);
    expect(names(view)).toEqual(['alpha', 'beta']);
  });

  it('when the log no longer reaches back to the compressed snapshot, the viewer gets the current one instead', async () => {
    const client = viewer();
    await client.subscribe();
    await vi.waitFor(() => expect(held.asked).toHaveLength(1));
    // More summary changes than the log keeps (replayCapacity 4).
    for (let index = 0; index < 6; index++) {
      store.upsertKey(key(`svc-${index}`, 'x'));
      store.flush();
    }
    held.releaseAll();
    await vi.waitFor(() => expect(held.asked).toHaveLength(2));
    expect(client.handed).toEqual([]);
    held.releaseAll();
    await vi.waitFor(() => expect(client.handed).toHaveLength(1));
    const { view } = viewFrom(client.handed);
    expect(view.seq).toBe(store.summarySnapshot().seq);
    expect(names(view)).toEqual(['alpha', 'svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5']);
  });

  it('a snapshot still compressing when the summary is unsubscribed is not sent, and the socket stays out of the room', async () => {
    const client = viewer();
    await client.subscribe();
    await vi.waitFor(() => expect(held.asked).toHaveLength(1));
    expect(await client.unsubscribe()).toEqual({ ok: true });
    held.releaseAll();
    store.upsertKey(key('beta', 'b-1'));
    store.flush();
    // Messages to one socket keep their order: anything sent before this snapshot would be handed on first.
    await client.subscribe();
    // Snapshots of a view to one socket are paced: the second leaves once the interval is over.
    clock.advance(SNAPSHOT_INTERVAL_MS);
    await vi.waitFor(() => expect(held.asked).toHaveLength(2));
    held.releaseAll();
    await vi.waitFor(() => expect(client.handed).toHaveLength(1));
    expect(names(viewFrom(client.handed).view)).toEqual(['alpha', 'beta']);
  });

});

describe('summary snapshots to one socket', () => {
  it('are paced: twenty subscribes in a row get one snapshot now and one when the interval is over', async () => {
    const client = viewer();
    for (let i = 0; i < 20; i += 1) expect(await client.subscribe()).toEqual({ ok: true });
    await vi.waitFor(() => expect(held.asked).toHaveLength(1));
    clock.advance(SNAPSHOT_INTERVAL_MS);
    await vi.waitFor(() => expect(held.asked).toHaveLength(2));
    clock.advance(SNAPSHOT_INTERVAL_MS);
    expect(held.asked).toHaveLength(2);
  });
});
