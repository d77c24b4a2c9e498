import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Signal } from '@/lib/model/cluster/signals';
import { createPostgresSignalBus, SIGNAL_ANSWER_TIMEOUT_MS, SIGNAL_APPLICATION_NAME, SIGNAL_CHANNEL, SIGNAL_CLOSE_TIMEOUT_MS, SIGNAL_PING_INTERVAL_MS, type SignalBus } from '@/lib/server/cluster/signal-bus';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { startProxy } from '../support/proxy';
import { eventually } from '../support/server';

/** The replicas' carrier over a real PostgreSQL's LISTEN/NOTIFY (lib/server/cluster/signal-bus.ts). */
let postgres: TestPostgres;
let url: string;
let buses: SignalBus[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  url = await postgres.createDatabase();
});
afterEach(async () => {
  await Promise.all(buses.map((bus) => bus.stop()));
  buses = [];
});
afterAll(async () => {
  await postgres?.stop();
});

async function bus(replicaId: string): Promise<SignalBus> {
  const created = createPostgresSignalBus({ url, replicaId, flushMs: 20 });
  buses.push(created);
  await created.start();
  return created;
}

const probe = (i: number): Signal<'probe'> => ({ key: `/services/payments/payments-${i}`, result: { at: new Date(1_796_300_000_000 + i).toISOString(), ok: i % 3 !== 0, latencyMs: i / 10, ...(i % 3 === 0 ? { error: 'connect ECONNREFUSED' } : {}) } });

function collect(target: SignalBus): { items: Signal<'probe'>[]; from: Set<string> } {
  const received = { items: [] as Signal<'probe'>[], from: new Set<string>() };
  target.subscribe('probe', (items, from) => {
    received.items.push(...items);
    received.from.add(from);
  });
  return received;
}

describe('replica signals over PostgreSQL', () => {
  it('delivers every item to the other replicas, in order, split over messages under the NOTIFY limit, and never back to the sender', async () => {
    const [a, b, c] = [await bus('replica-a'), await bus('replica-b'), await bus('replica-c')];
    const [atA, atB, atC] = [collect(a), collect(b), collect(c)];
    const sent = Array.from({ length: 2_000 }, (_, i) => probe(i));
    for (const item of sent) a.publish('probe', item);
    await eventually(() => (atB.items.length === sent.length && atC.items.length === sent.length ? true : undefined), 10_000, 'every item at b and c');
    expect(atB.items).toEqual(sent);
    expect(atC.items).toEqual(sent);
    expect([...atB.from]).toEqual(['replica-a']);
    expect(atA.items).toEqual([]);
    expect(a.stats()).toMatchObject({ sent: 2_000, dropped: 0 });
  });

  it('ignores and counts what is not a valid signal, and still delivers the valid items beside it', async () => {
    const b = await bus('replica-b');
    const atB = collect(b);
    const send = (payload: string): Promise<unknown> => postgres.query(url, 'SELECT pg_notify($1, $2)', [SIGNAL_CHANNEL, payload]);
    await send('not json');
    await send(JSON.stringify({ from: 'x', kind: '__proto__', items: [] }));
    await send(JSON.stringify({ from: 'x', kind: 'probe', items: [{ key: '', result: {} }, probe(1), { ...probe(2), result: { ...probe(2).result, latencyMs: -1 } }] }));
    await eventually(() => (atB.items.length === 1 && b.stats().rejected === 4 ? true : undefined), 10_000, 'the valid item and four rejections');
    expect(atB.items).toEqual([probe(1)]);
  });

  it('names its connection in pg_stat_activity, where its last query (a ping, a NOTIFY) does not tell it from a pooled one', async () => {
    await bus('replica-a');
    const named = await postgres.query(url, 'SELECT query FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [SIGNAL_APPLICATION_NAME]);
    expect(named).toEqual([{ query: `LISTEN ${SIGNAL_CHANNEL}` }]);
  });

  it('reconnects after its connection is killed, says it listens again (not at its first start), and receives again', async () => {
    const [a, b] = [await bus('replica-a'), await bus('replica-b')];
    const atB = collect(b);
    const listeningAgain = { a: 0, b: 0 };
    a.onListeningAgain(() => (listeningAgain.a += 1));
    b.onListeningAgain(() => (listeningAgain.b += 1));
    await postgres.query(url, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [SIGNAL_APPLICATION_NAME]);
    await eventually(() => (!a.stats().connected || !b.stats().connected ? true : undefined), 10_000, 'the loss noticed');
    await eventually(() => (a.stats().connected && b.stats().connected ? true : undefined), 10_000, 'both reconnected');
    a.publish('probe', probe(7));
    await eventually(() => (atB.items.length === 1 ? true : undefined), 10_000, 'the item after reconnecting');
    expect(atB.items).toEqual([probe(7)]);
    expect(listeningAgain).toEqual({ a: 1, b: 1 });
  });

  it('notices its connection black-holed by a failover, connects afresh and hears the others again within the ping bound', async () => {
    const proxy = await startProxy(`http://${new URL(url).host}`);
    const proxied = new URL(url);
    proxied.host = new URL(proxy.endpoint).host;
    const lines: string[] = [];
    const listener = createPostgresSignalBus({ url: proxied.toString(), replicaId: 'replica-b', flushMs: 20, log: (line) => lines.push(line) });
    try {
      await listener.start();
      const a = await bus('replica-a');
      const atB = collect(listener);
      a.publish('probe', probe(1));
      await eventually(() => (atB.items.length === 1 ? true : undefined), 10_000, 'an item before the failover');
      // The old primary gone without a word: the open connection black-holed, new ones reach PostgreSQL.
      proxy.stall();
      proxy.restore(undefined, { keepStalled: true });
      let sent = 1;
      await eventually(
        () => {
          a.publish('probe', probe((sent += 1)));
          return atB.items.length > 1 ? true : undefined;
        },
        SIGNAL_PING_INTERVAL_MS + SIGNAL_ANSWER_TIMEOUT_MS + 5_000,
        'an item heard after the failover',
      );
      expect(lines.some((line) => line.includes('connection to PostgreSQL lost (no answer'))).toBe(true);
      expect(listener.stats().connected).toBe(true);
    } finally {
      await listener.stop();
      await proxy.close();
    }
  }, 60_000);

  it('stops within the close bound though its connection went silent with nothing asked of it', async () => {
    const proxy = await startProxy(`http://${new URL(url).host}`);
    const proxied = new URL(url);
    proxied.host = new URL(proxy.endpoint).host;
    const listener = createPostgresSignalBus({ url: proxied.toString(), replicaId: 'replica-b', flushMs: 20 });
    let stopping: Promise<void> | undefined;
    try {
      await listener.start();
      // Between two pings, nothing queued: the goodbye (Terminate, FIN) goes into the hole and nothing closes the socket.
      proxy.stall();
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let stopped = false;
      stopping = listener.stop().then(() => {
        stopped = true;
      });
      await vi.advanceTimersByTimeAsync(SIGNAL_CLOSE_TIMEOUT_MS);
      await vi.waitFor(() => expect(stopped).toBe(true), { timeout: 2_000, interval: 20 });
    } finally {
      vi.useRealTimers();
      await proxy.close();
      await stopping;
    }
  });
});
