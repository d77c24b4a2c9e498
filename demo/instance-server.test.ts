import { afterEach, describe, expect, it } from 'vitest';
import { checkGrpcHealth } from './grpc-health';
import { FLAP_PERIOD_MS, healthAnswer, startInstanceServer, type Faults, type InstanceServer } from './instance-server';

describe('healthAnswer', () => {
  it('serves when ok, never answers when hanging, alternates when flapping, failing first', () => {
    expect(healthAnswer('ok', 0)).toBe('SERVING');
    expect(healthAnswer('hang', 0)).toBe('hang');
    expect(healthAnswer('flapping', 0)).toBe('NOT_SERVING');
    expect(healthAnswer('flapping', FLAP_PERIOD_MS)).toBe('SERVING');
    expect(healthAnswer('flapping', 2 * FLAP_PERIOD_MS)).toBe('NOT_SERVING');
    // Three failed probes in a row at the default 5 s interval fit in one unhealthy half.
    expect(FLAP_PERIOD_MS).toBeGreaterThanOrEqual(3 * 5_000);
  });
});

describe('startInstanceServer', () => {
  let server: InstanceServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers health and work over HTTP and gRPC health on one port', async () => {
    const faults: Faults = { health: 'ok', latencyFactor: 1, errorRate: 0 };
    let served = 0;
    server = await startInstanceServer({ port: 0, faults, grpcHealth: true, work: async () => {
        served += 1;
        return 200;
      },
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/work`)).status).toBe(200);
    expect(served).toBe(1);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect(await checkGrpcHealth(`127.0.0.1:${server.port}`, 2_000)).toBe('SERVING');
    faults.health = 'hang';
    await expect(fetch(`${base}/healthz`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await expect(checkGrpcHealth(`127.0.0.1:${server.port}`, 300)).rejects.toThrow(/deadline/i);
  });

  it('exposes the work it answered, by code, as Prometheus text on /metrics', async () => {
    const faults: Faults = { health: 'ok', latencyFactor: 1, errorRate: 0 };
    let status = 200;
    server = await startInstanceServer({ port: 0, faults, grpcHealth: false, work: async () => status });
    const base = `http://127.0.0.1:${server.port}`;
    await fetch(`${base}/work`);
    status = 503;
    await fetch(`${base}/work`);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toContain('demo_work_requests_total{code="200"} 1');
    expect(text).toContain('demo_work_requests_total{code="503"} 1');
  });

  it('drops connections on close, hanging ones too', async () => {
    const faults: Faults = { health: 'hang', latencyFactor: 1, errorRate: 0 };
    server = await startInstanceServer({ port: 0, faults, grpcHealth: false, work: async () => 200 });
    const hanging = fetch(`http://127.0.0.1:${server.port}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close();
    server = undefined;
    await expect(hanging).rejects.toThrow();
  });
});
