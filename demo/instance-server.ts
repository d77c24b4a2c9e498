import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, Registry } from 'prom-client';
import type { Incoming } from './otel';
import { startGrpcHealthServer, type GrpcHealthAnswer } from './grpc-health';
import { listenMuxed } from './port-mux';

export type HealthMode = 'ok' | 'hang' | 'flapping';

/** What fault scenarios turn on an instance; read on every request, so changes apply at once. */
export interface Faults {
  health: HealthMode;
  /** Multiplies the instance's own work time (latency spike). */
  latencyFactor: number;
  /** Share of requests answered 503 (error burst). */
  errorRate: number;
}

export const HEALTHY: Readonly<Faults> = { health: 'ok', latencyFactor: 1, errorRate: 0 };

/**
 * How long a flapping instance fails, then passes, over and over: at the default 5 s probe interval a
 * failing stretch holds 4 probes, one more than the 3 failed ones in a row that turn an instance
 * critical, and a passing one 3, one more than the 2 that turn it passing again, so a dropped round
 * still leaves each stretch its change. 15 s each way held 3 and 3, one of them on an edge, and jitter
 * left some stretches no change (the ServiceFlapping alert's 5 never came); at 5 s every probe saw
 * another stretch and nothing ever changed.
 */
export const FLAP_FAILING_MS = 20_000;
export const FLAP_PASSING_MS = 15_000;
/**
 * The first failing stretch is longer by half the default probe interval, so the edges fall between
 * probes, which keep the first one's phase: a probe on an edge saw either side by how late it ran.
 */
export const FLAP_EDGE_OFFSET_MS = 2_500;

/** The health answer `msInMode` after the mode was set: flapping fails first. */
export function healthAnswer(mode: HealthMode, msInMode: number): GrpcHealthAnswer {
  if (mode === 'hang') return 'hang';
  if (mode === 'flapping' && Math.max(0, msInMode - FLAP_EDGE_OFFSET_MS) % (FLAP_FAILING_MS + FLAP_PASSING_MS) < FLAP_FAILING_MS) return 'NOT_SERVING';
  return 'SERVING';
}

/**
 * The health check's answer now, for an instance with these (changing) faults: a mode's time counts
 * from the first check that saw it, so a flap's first probe fails.
 */
export function healthAnswerer(faults: Readonly<Pick<Faults, 'health'>>, now: () => number = Date.now): () => GrpcHealthAnswer {
  let mode = faults.health;
  let modeSince = now();
  return () => {
    if (faults.health !== mode) {
      mode = faults.health;
      modeSince = now();
    }
    return healthAnswer(mode, now() - modeSince);
  };
}

export interface InstanceServer {
  port: number;
  /** Stops listening and drops every connection, hanging health checks included. */
  close(): Promise<void>;
}

export interface InstanceServerOptions {
  /** 0 for any free port; a restarted instance asks for its old one. */
  port: number;
  faults: Faults;
  grpcHealth: boolean;
  /** Handles one `GET /work` (with the caller's trace context), resolving to the HTTP status to answer. */
  work(incoming: Incoming): Promise<number>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * One demo instance's server on loopback: `GET /healthz` (200, 503 or no answer, per the faults),
 * `GET /work`, `GET /metrics` (Prometheus text: the work it answered, by code) and, for
 * gRPC-style services, `grpc.health.v1.Health/Check` on the same port.
 */
export async function startInstanceServer(options: InstanceServerOptions): Promise<InstanceServer> {
  const { faults } = options;
  const healthNow = healthAnswerer(faults);
  const metrics = new Registry();
  const answered = new Counter({ name: 'demo_work_requests_total', help: 'GET /work requests answered, by HTTP status', labelNames: ['code'], registers: [metrics] });
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = request.url?.split('?')[0];
    if (path === '/metrics') {
      void metrics.metrics().then((text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text));
      return;
    }
    if (path === '/healthz') {
      const answer = healthNow();
      if (answer === 'SERVING') response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      else if (answer === 'NOT_SERVING') response.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"unhealthy"}');
      // 'hang': never answer; close() drops the connection.
      return;
    }
    if (path === '/work') {
      const answer = (status: number): void => {
        answered.inc({ code: String(status) });
        response.writeHead(status).end();
      };
      const { traceparent } = request.headers;
      void options.work(typeof traceparent === 'string' ? { traceparent } : {}).then(answer, () => answer(500));
      return;
    }
    response.writeHead(404).end();
  };
  const http = createServer({ keepAliveTimeout: 30_000 }, handle);
  if (!options.grpcHealth) {
    const port = await listen(http, options.port);
    return {
      port,
      async close() {
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections();
        await closed;
      },
    };
  }
  const grpc = await startGrpcHealthServer(healthNow);
  try {
    const muxed = await listenMuxed({ port: options.port, http, grpcPort: grpc.port });
    return {
      port: muxed.port,
      async close() {
        await muxed.close();
        http.closeAllConnections();
        grpc.stop();
      },
    };
  } catch (error) {
    grpc.stop();
    throw error;
  }
}
