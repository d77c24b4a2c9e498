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
 * A flapping instance alternates between unhealthy and healthy this often: long enough for 3 failed
 * probes in a row at the default 5 s interval (what turns an instance critical) and 2 passing ones
 * after (what turns it passing again). At 5 s every probe saw another half and nothing ever changed.
 */
export const FLAP_PERIOD_MS = 15_000;

/** The health answer `msInMode` after the mode was set: flapping fails first, so a 30 s scenario shows a whole flap. */
export function healthAnswer(mode: HealthMode, msInMode: number): GrpcHealthAnswer {
  if (mode === 'hang') return 'hang';
  if (mode === 'flapping' && Math.floor(msInMode / FLAP_PERIOD_MS) % 2 === 0) return 'NOT_SERVING';
  return 'SERVING';
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
  let mode = faults.health;
  let modeSince = Date.now();
  const healthNow = (): GrpcHealthAnswer => {
    if (faults.health !== mode) {
      mode = faults.health;
      modeSince = Date.now();
    }
    return healthAnswer(mode, Date.now() - modeSince);
  };
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
