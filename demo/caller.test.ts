import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseEndpoint, createCaller } from './caller';
import type { Endpoint } from './discovery';
import { seededRandom } from './latency';
import { createCallStats } from './stats';

const endpoint = (id: string, port = 1): Endpoint => ({ service: 'users', id, address: `127.0.0.1:${port}` });

describe('chooseEndpoint', () => {
  const all = [endpoint('a'), endpoint('b'), endpoint('c')];

  it('prefers untried instances with closed breakers', () => {
    const picked = new Set<string>();
    const random = seededRandom(1);
    for (let i = 0; i < 50; i += 1) picked.add(chooseEndpoint(all, (e) => e.id === 'c', new Set(['a@127.0.0.1:1']), random)?.id ?? '');
    expect(picked).toEqual(new Set(['b']));
  });

  it('retries a tried instance when it is the only one left, and gives up when all are open', () => {
    expect(chooseEndpoint([endpoint('a')], () => false, new Set(['a@127.0.0.1:1']), Math.random)?.id).toBe('a');
    expect(chooseEndpoint(all, () => true, new Set(), Math.random)).toBeUndefined();
    expect(chooseEndpoint([], () => false, new Set(), Math.random)).toBeUndefined();
  });
});

describe('createCaller', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  const serve = async (status: number): Promise<{ endpoint: Endpoint; hits: () => number }> => {
    let hits = 0;
    const server = createServer((_request, response) => {
      hits += 1;
      response.writeHead(status).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { endpoint: endpoint(`s${status}-${servers.length}`, (server.address() as AddressInfo).port), hits: () => hits };
  };

  it('retries on another instance and records every attempt', async () => {
    const failing = await serve(503);
    const healthy = await serve(200);
    const stats = createCallStats();
    const from = { service: 'api-gateway', instance: 'gw-1' };
    // A generator that picks the failing instance first.
    const caller = createCaller({ from: () => from, endpoints: () => [failing.endpoint, healthy.endpoint], stats, random: () => 0 });
    await caller.call('users');
    expect([failing.hits(), healthy.hits()]).toEqual([1, 1]);
    const calls = stats.take()[0]?.calls ?? [];
    expect(calls.map((c) => [c.toInstance, c.count, c.errors])).toEqual([
      [failing.endpoint.id, 1, 1],
      [healthy.endpoint.id, 1, 0],
    ]);
  });

  it('opens an instance’s breaker after repeated failures and stops sending to it', async () => {
    const failing = await serve(500);
    const caller = createCaller({ from: () => ({ service: 'a', instance: 'a-1' }), endpoints: () => [failing.endpoint], stats: createCallStats(), random: Math.random, retries: 0 });
    for (let i = 0; i < 8; i += 1) await caller.call('users').catch(() => undefined);
    expect(failing.hits()).toBe(5);
    await expect(caller.call('users')).rejects.toThrow(/circuit is open/);
  });

  it('fails fast and records an error when a service has no instance', async () => {
    const stats = createCallStats();
    const caller = createCaller({ from: () => ({ service: 'a', instance: 'a-1' }), endpoints: () => [], stats, random: Math.random, retries: 0 });
    await expect(caller.call('users')).rejects.toThrow(/no instance available/);
    expect(stats.take()[0]?.calls).toEqual([expect.objectContaining({ to: 'users', count: 1, errors: 1 })]);
  });
});
