import { describe, expect, it } from 'vitest';
import { probeKindOf } from './probe-kind';

const base = { format: 'native' as const, metadata: {} };

describe('probeKindOf', () => {
  it('names the declared HTTP path, adding a missing slash as the prober does', () => {
    expect(probeKindOf({ ...base, health: { http: '/healthz' } }).label).toBe('HTTP GET /healthz');
    expect(probeKindOf({ ...base, health: { http: 'ready' } }).label).toBe('HTTP GET /ready');
  });

  it('names a declared gRPC health check and a kratos plaintext grpc endpoint', () => {
    expect(probeKindOf({ ...base, health: { grpc: true } }).kind).toBe('grpc');
    expect(probeKindOf({ format: 'kratos', metadata: { endpoints: 'http://10.0.0.1:8000,grpc://10.0.0.1:9000' } }).kind).toBe('grpc');
    expect(probeKindOf({ format: 'kratos', metadata: { endpoints: 'grpc://10.0.0.1:9000?isSecure=true' } }).kind).toBe('tcp');
  });

  it('says a TCP-only instance is only connect-checked, and how to give it a health path', () => {
    const text = probeKindOf(base);
    expect(text).toMatchObject({ kind: 'tcp', label: 'TCP connect only' });
    expect(text.hint).toContain('"health":{"http":"/healthz"}');
  });
});
