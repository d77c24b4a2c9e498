import { afterEach, describe, expect, it } from 'vitest';
import { checkGrpcHealth } from './grpc-health';
import { FLAP_EDGE_OFFSET_MS, FLAP_FAILING_MS, FLAP_PASSING_MS, healthAnswer, startInstanceServer, type Faults, type InstanceServer } from './instance-server';

describe('healthAnswer', () => {
  it('serves when ok, never answers when hanging, alternates when flapping, failing first, its edges between 5 s probes', () => {
    expect(healthAnswer('ok', 0)).toBe('SERVING');
    expect(healthAnswer('hang', 0)).toBe('hang');
    const flap = (ms: number) => healthAnswer('flapping', ms);
    const cycleMs = FLAP_FAILING_MS + FLAP_PASSING_MS;
    for (const startMs of [0, cycleMs + FLAP_EDGE_OFFSET_MS]) {
      expect(flap(startMs)).toBe('NOT_SERVING');
      expect(flap(startMs + FLAP_FAILING_MS - 1)).toBe('NOT_SERVING');
      expect(flap(startMs + FLAP_FAILING_MS + (startMs === 0 ? FLAP_EDGE_OFFSET_MS : 0))).toBe('SERVING');
    }
    // Probes 5 s apart from the first: 4 in each failing stretch (3 turn it critical), 3 in each passing one (2 turn it passing), none on an edge.
    const probes = Array.from({ length: 14 }, (_, i) => i * 5_000);
    expect(probes.map((ms) => (flap(ms) === 'NOT_SERVING' ? 'F' : 'P')).join('')).toBe('FFFFFPPPFFFFPP');
    for (const ms of probes) expect(flap(ms + 2_000)).toBe(flap(ms));
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
