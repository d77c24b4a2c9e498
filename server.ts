import type { IncomingMessage, ServerResponse } from 'node:http';
import next from 'next';
import { loadConfig } from './lib/server/config';
import { handleIngest, INGEST_PATH } from './lib/server/ingest-endpoint';
import { createListener } from './lib/server/listener';
import { handleLiveness, LIVENESS_PATH } from './lib/server/liveness';
import { handleOtlpMetrics, OTLP_METRICS_PATH } from './lib/server/otlp/metrics-endpoint';
import { handleOtlpTraces, OTLP_TRACES_PATH } from './lib/server/otlp/traces-endpoint';
import { prepareMachineResponse, prepareRequest } from './lib/server/security-headers';
import { startRuntime } from './lib/server/start-runtime';

/** Custom server: Next's handler and Socket.IO on one port; Next is prepared before the runtime starts, and closed after it stops. */
async function main(): Promise<void> {
  const config = loadConfig();
  const dev = process.argv.includes('--dev');
  // Next first: loading it is ~1.5 s of synchronous module work that, started beside the runtime,
  // ran inside the registry's first listing and held it up (issue 19: sync within 3× a raw listing).
  // Nothing is served before both are ready either way.
  const app = next({ dev, hostname: config.HOST, port: config.PORT, dir: import.meta.dirname });
  await app.prepare();
  const runtime = await startRuntime(config);
  const handle = app.getRequestHandler();
  // Answered ahead of Next: programs call these every few seconds.
  const machineEndpoints = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>([
    [LIVENESS_PATH, (request, response) => handleLiveness(request, response)],
    [INGEST_PATH, (request, response) => handleIngest(request, response, runtime)],
    [OTLP_METRICS_PATH, (request, response) => handleOtlpMetrics(request, response, runtime)],
    [OTLP_TRACES_PATH, (request, response) => handleOtlpTraces(request, response, runtime)],
  ]);
  const { server, scheme } = createListener(config, (request, response) => {
    const endpoint = machineEndpoints.get(request.url?.split('?')[0] ?? '');
    if (endpoint) {
      prepareMachineResponse(response);
      return endpoint(request, response);
    }
    prepareRequest(request, response, { dev });
    void handle(request, response);
  });
  runtime.attach(server);
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  console.log(`Switchyard ready on ${scheme}://${config.HOST}:${port}`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), 10_000).unref();
    // Socket.IO first: open WebSockets would otherwise hold server.close() open forever.
    await runtime.stop();
    server.closeAllConnections();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
