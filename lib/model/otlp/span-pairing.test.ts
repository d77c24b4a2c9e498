import { describe, expect, it } from 'vitest';
import { createSpanPairing, type ClientSide, type ServerSide, type Unpaired } from './span-pairing';

const timing = { endMs: 1_000, durationMs: 10, error: false };
const client = (key: string): ClientSide => ({ role: 'client', pairKey: key, reporter: { service: 'gateway' }, ...timing });
const server = (key: string): ServerSide => ({ role: 'server', pairKey: key, reporter: { service: 'users' }, ...timing });
const none = (): Unpaired => ({ clients: [], servers: [] });

describe('span pairing', () => {
  it('pairs a client and a server span in either order, once', () => {
    const pairing = createSpanPairing({ cap: 10, ttlMs: 1_000 });
    expect(pairing.offerClient(client('t:a'), 0, none())).toBeUndefined();
    expect(pairing.offerServer(server('t:a'), 100, none())).toEqual({ client: client('t:a'), server: server('t:a') });
    expect(pairing.offerServer(server('t:b'), 100, none())).toBeUndefined();
    expect(pairing.offerClient(client('t:b'), 200, none())).toMatchObject({ client: { pairKey: 't:b' } });
    expect(pairing.stats()).toMatchObject({ waiting: 0, paired: 2 });
  });

  it('gives back a side alone once its TTL passes, not before', () => {
    const pairing = createSpanPairing({ cap: 10, ttlMs: 1_000 });
    pairing.offerClient(client('t:a'), 0, none());
    pairing.offerServer(server('t:b'), 500, none());
    expect(pairing.expire(999)).toEqual(none());
    expect(pairing.expire(1_000)).toEqual({ clients: [client('t:a')], servers: [] });
    expect(pairing.expire(1_500)).toEqual({ clients: [], servers: [server('t:b')] });
    expect(pairing.offerServer(server('t:a'), 1_600, none())).toBeUndefined();
  });

  it('holds at most cap waiting spans: the oldest is pushed out as unpaired', () => {
    const pairing = createSpanPairing({ cap: 2, ttlMs: 60_000 });
    const overflow = none();
    for (const key of ['t:1', 't:2', 't:3']) pairing.offerClient(client(key), 0, overflow);
    expect(overflow.clients.map((c) => c.pairKey)).toEqual(['t:1']);
    expect(pairing.stats()).toMatchObject({ waiting: 2, pushedOut: 1 });
  });

  it('keeps its arrival order bounded when every span pairs at once, and still expires the ones that wait', () => {
    const pairing = createSpanPairing({ cap: 100, ttlMs: 60_000 });
    pairing.offerClient(client('t:alone'), 0, none());
    for (let i = 0; i < 10_000; i += 1) {
      pairing.offerClient(client(`t:${i}`), 1, none());
      pairing.offerServer(server(`t:${i}`), 1, none());
    }
    expect(pairing.stats()).toMatchObject({ waiting: 1, paired: 10_000 });
    expect(pairing.stats().queued).toBeLessThanOrEqual(2 * 100 + 1_024);
    expect(pairing.expire(59_999)).toEqual(none());
    expect(pairing.expire(60_000)).toEqual({ clients: [client('t:alone')], servers: [] });
    expect(pairing.stats()).toMatchObject({ waiting: 0, expired: 1 });
  });
});
