import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import next from 'next';
import { admitApiRequest } from './lib/server/api-admission/gate';
import { apiRoutesOf, refuseUnsupportedMethod } from './lib/server/api-methods';
import { secureCookies } from './lib/server/auth/cookies';
import { loadConfig } from './lib/server/config';
import { handleIngest, INGEST_PATH } from './lib/server/ingest-endpoint';
import { createListener } from './lib/server/listener';
import { handleLiveness, LIVENESS_PATH } from './lib/server/liveness';
import { handleOtlpMetrics, OTLP_METRICS_PATH } from './lib/server/otlp/metrics-endpoint';
import { handleOtlpTraces, OTLP_TRACES_PATH } from './lib/server/otlp/traces-endpoint';
import { answeredDuringOutage } from './lib/server/page-outage';
import { refuseMalformedPath, routedPath } from './lib/server/request-path';
import { prepareMachineResponse, prepareRequest } from './lib/server/security-headers';
import { startRuntime, type RunningRuntime } from './lib/server/start-runtime';
import { onStopSignal } from './lib/server/stop-signals';

/** Custom server: Next's handler and Socket.IO on one port; Next is prepared before the runtime starts, and closed after it stops. */
async function main(): Promise<void> {
  const config = loadConfig();
  const dev = process.argv.includes('--dev');
  /** What has started (or is starting) so far: a signal at any point stops it, the embedded etcd last. */
  const started: { runtime?: Promise<RunningRuntime>; server?: Server } = {};
  let stopping = false;
  // Next first: loading it is ~1.5 s of synchronous module work that, started beside the runtime,
  // ran inside the registry's first listing and held it up (issue 19: sync within 3× a raw listing).
  // Nothing is served before both are ready either way.
  const app = next({ dev, hostname: config.HOST, port: config.PORT, dir: import.meta.dirname });
  const stop = async (reason: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`${reason}: shutting down`);
    setTimeout(() => process.exit(1), 10_000).unref();
    // Socket.IO first: open WebSockets would otherwise hold server.close() open forever. A runtime still
    // starting is waited for and stopped; one that failed to start has nothing to stop.
    await started.runtime?.then(
      (runtime) => runtime.stop(),
      () => undefined,
    );
    started.server?.closeAllConnections();
    await app.close();
    process.exit(code);
  };
  onStopSignal((signal) => void stop(signal));

  await app.prepare();
  if (stopping) return;
  started.runtime = startRuntime(config);
  const runtime = await started.runtime;
  if (stopping) return;
  const handle = app.getRequestHandler();
  // The API's routes and their methods, read from app/api (per request under --dev).
  const apiRoutes = apiRoutesOf(path.join(import.meta.dirname, 'app'), dev);
  // Answered ahead of Next: programs call these every few seconds.
  const machineEndpoints = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>([
    [LIVENESS_PATH, (request, response) => handleLiveness(request, response)],
    [INGEST_PATH, (request, response) => handleIngest(request, response, runtime)],
    [OTLP_METRICS_PATH, (request, response) => handleOtlpMetrics(request, response, runtime)],
    [OTLP_TRACES_PATH, (request, response) => handleOtlpTraces(request, response, runtime)],
  ]);
  const secure = secureCookies(config);
  const listener = createListener(config, (request, response) => {
    // By the path Next would route it to: matched on the raw target, `/./v1/metrics` went to Next, past the endpoint and its bounds.
    const endpoint = machineEndpoints.get(routedPath(request.url ?? '/'));
    if (endpoint) {
      prepareMachineResponse(response);
      return endpoint(request, response);
    }
    prepareRequest(request, response, { dev });
    if (refuseMalformedPath(request, response)) return;
    if (refuseUnsupportedMethod(request, response, apiRoutes)) return;
    admitApiRequest(runtime.apiGate, request, response, secure, () => {
      void answeredDuringOutage(request, response, runtime).then((answered) => (answered ? undefined : handle(request, response)));
    });
  });
  started.server = listener.server;
  runtime.attach(listener.server);
  try {
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen(config.PORT, config.HOST, () => {
        listener.server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // A taken port (or address) is a configuration error: said plainly, and everything started is stopped.
    console.error(`cannot listen on ${config.HOST}:${config.PORT}: ${error instanceof Error ? error.message : String(error)} (set PORT or HOST)`);
    return stop('start-up failed', 1);
  }
  if (stopping) return;
  const address = listener.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  console.log(`Switchyard ready on ${listener.scheme}://${config.HOST}:${port}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
