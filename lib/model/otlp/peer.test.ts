import { describe, expect, it } from 'vitest';
import { calleeOf, isError, reporterInstanceOf, type RegistryLookup } from './peer';
import type { Attributes } from './schema';

const attrs = (record: Record<string, string | number>): Attributes =>
  Object.entries(record).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: value } : { stringValue: value } }));

const registry: RegistryLookup = {
  instanceAt: (hostPort) => (hostPort === '10.0.0.7:9000' ? { service: 'users', id: 'u-7' } : undefined),
  hasService: (name) => name === 'users' || name === 'orders',
  hasInstance: (service, id) => (service === 'users' && id === 'u-7') || (service === 'orders' && id === 'o-1'),
  isLost: () => false,
  isDeparted: () => false,
};

describe('calleeOf', () => {
  it('names the registered instance at server.address:server.port', () => {
    expect(calleeOf(attrs({ 'server.address': '10.0.0.7', 'server.port': 9000, 'rpc.method': 'shop.Orders/Get' }), registry)).toEqual({ service: 'users', instance: 'u-7', external: false });
  });

  it('falls back to a service named by the address, the peer name, then the RPC service', () => {
    expect(calleeOf(attrs({ 'server.address': 'users', 'server.port': 80 }), registry)).toEqual({ service: 'users', external: false });
    expect(calleeOf(attrs({ 'server.address': '10.9.9.9', 'server.port': 1, 'peer.service': 'orders' }), registry)).toEqual({ service: 'orders', external: false });
    expect(calleeOf(attrs({ 'rpc.method': 'shop.users.v1.Users/Get' }), registry)).toEqual({ service: 'users', external: false });
    expect(calleeOf(attrs({ 'rpc.service': 'shop.Orders', 'rpc.method': 'Get' }), registry)).toEqual({ service: 'orders', external: false });
  });

  it('makes an external node of what the registry does not know, and nothing of no peer at all', () => {
    expect(calleeOf(attrs({ 'server.address': 'api.stripe.com', 'server.port': 443 }), registry)).toEqual({ service: 'api.stripe.com:443', external: true });
    expect(calleeOf(attrs({ 'service.peer.name': 'billing' }), registry)).toEqual({ service: 'billing', external: true });
    expect(calleeOf(attrs({ 'http.request.method': 'GET' }), registry)).toBeUndefined();
  });
});

describe('reporterInstanceOf', () => {
  it('names the registered instance of its own service listening on server.address:server.port, else the declared id when it is registered', () => {
    const own = attrs({ 'server.address': '10.0.0.7', 'server.port': 9000 });
    expect(reporterInstanceOf(own, 'users', '5f0c-random', registry)).toBe('u-7');
    expect(reporterInstanceOf(own, 'orders', 'o-1', registry)).toBe('o-1');
    expect(reporterInstanceOf(attrs({}), 'users', undefined, registry)).toBeUndefined();
    // An SDK's random id names no registered instance: no series of its own, only the service's.
    expect(reporterInstanceOf(attrs({}), 'orders', '5f0c-random', registry)).toBeUndefined();
  });
});

describe('isError', () => {
  it('is HTTP status ≥ 500 under either attribute name', () => {
    expect(isError(attrs({ 'http.response.status_code': 503 }), 'http')).toBe(true);
    expect(isError(attrs({ 'http.status_code': 404 }), 'http')).toBe(false);
    expect(isError(attrs({}), 'http')).toBe(false);
  });

  it('is an RPC status other than OK', () => {
    expect(isError(attrs({ 'rpc.grpc.status_code': 14 }), 'rpc')).toBe(true);
    expect(isError(attrs({ 'rpc.grpc.status_code': 0 }), 'rpc')).toBe(false);
    expect(isError(attrs({ 'rpc.response.status_code': 'UNAVAILABLE' }), 'rpc')).toBe(true);
    expect(isError(attrs({ 'rpc.status_code': 'OK' }), 'rpc')).toBe(false);
  });

  it('is a call that failed before any status came back (error.type without a status), not a 4xx with its error.type', () => {
    // otelhttp's client metrics for a refused connection: error.type, no http.response.status_code.
    expect(isError(attrs({ 'server.address': 'users', 'error.type': '*net.OpError' }), 'http')).toBe(true);
    // The conventions also set error.type to "404" for a client's 4xx: the caller's mistake, not the callee failing.
    expect(isError(attrs({ 'http.response.status_code': 404, 'error.type': '404' }), 'http')).toBe(false);
    expect(isError(attrs({ 'rpc.method': 'users.Users/Get', 'error.type': 'context deadline exceeded' }), 'rpc')).toBe(true);
  });
});
