import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@/lib/server/config';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { clientPortSaid, freePort, stableClientPortOf, startLocalEtcd } from '@/lib/server/etcd/local';
import { onStopSignal } from '@/lib/server/stop-signals';
import { parseDemoArgs, USAGE, UsageError, type DemoOptions } from './args';
import { startDashboard } from './dashboard';
import { createReporterToken, demoAdminPassword, keepReporterToken } from './login';
import { startFleet } from './fleet';
import { startScaleFleet } from './scale';
import { FLEET_SEEN_HEALTHY_MS, scenarioReadyAfterMs, scheduleScenarios } from './scenarios';
import { httpCallReporter } from './stats';

const log = (message: string): void => console.log(`${new Date().toISOString()} demo: ${message}`);

/** PORT when it is free (0 = any), else any free port. */
function portToUse(preferred: number): Promise<number> {
  if (preferred === 0) return freePort();
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => void freePort().then(resolve));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}

/** What has been started so far, stopped in reverse order by Ctrl-C, SIGTERM or a failure. */
const cleanups: (() => Promise<void> | void)[] = [];
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => log(`while stopping: ${error instanceof Error ? error.message : String(error)}`));
  }
  process.exit(code);
}

/** `npm run demo`: a local etcd (unless ETCD_ENDPOINTS is set), the demo fleet and the dashboard. */
async function main(options: Exclude<DemoOptions, { mode: 'help' }>): Promise<void> {
  onStopSignal(() => void shutdown(0));
  const config = loadConfig();
  let endpoints = config.ETCD_ENDPOINTS ?? [];
  let etcdNote = '';
  if (endpoints.length === 0) {
    // On a port that stays from one start to the next, as the dashboard's own local etcd.
    const etcd = await startLocalEtcd(path.join(config.dataDir, 'demo-etcd'), { ownProcessGroup: true, stableClientPort: stableClientPortOf(config) });
    cleanups.push(() => etcd.stop());
    endpoints = [etcd.endpoint];
    etcdNote = ` (local, ${clientPortSaid(etcd)}; data in ${etcd.dataDir})`;
  }
  const client = createEtcdClient({
    endpoints,
    username: config.ETCD_USERNAME,
    password: config.ETCD_PASSWORD,
    caFile: config.ETCD_CA_FILE,
    certFile: config.ETCD_CERT_FILE,
    keyFile: config.ETCD_KEY_FILE,
  });
  cleanups.push(() => client.close());
  const port = await portToUse(config.PORT);
  const url = `http://${config.HOST}:${port}`;
  const adminPassword = demoAdminPassword(config.dataDir, config.SWITCHYARD_ADMIN_PASSWORD);
  // Filled once the dashboard is up and has issued the reporters' token.
  const reporterToken: { value?: string | undefined } = {};
  // Ctrl-C reaches the dashboard (same process group) as it reaches us: a report failing while we stop is expected, not news.
  const reporter = httpCallReporter(`${url}/api/v1/ingest/calls`, () => reporterToken.value, (message) => {
    if (!stopping) log(message);
  });

  const fleet =
    options.mode === 'scale'
      ? await startScaleFleet(client, { ...options, reporter })
      : await startFleet(client, {
          rps: options.rps,
          controlPrefix: config.SWITCHYARD_CONTROL_PREFIX,
          reporter,
          // The plan's OpenTelemetry half exports to the dashboard's OTLP intake with the same token.
          otlp: { url, token: () => reporterToken.value, exportIntervalMs: 10_000 },
          log,
        });
  cleanups.push(() => fleet.stop());
  const throughOtlp = 'summary' in fleet ? 0 : fleet.instances.filter((instance) => instance.plan.otlp).length;
  const summary = 'summary' in fleet ? fleet.summary : `${fleet.instances.length} instances in ${fleet.plan.length} services (${throughOtlp} report through OpenTelemetry, the rest through ingest)`;

  const dashboard = startDashboard({ port, etcdEndpoints: endpoints, adminPassword, adminPasswordChosenByDemo: config.SWITCHYARD_ADMIN_PASSWORD === undefined });
  cleanups.push(() => dashboard.stop());
  dashboard.child.once('exit', (code) => {
    if (stopping) return;
    log(`the dashboard exited (code ${code}); stopping`);
    void shutdown(code || 1);
  });
  if (!(await dashboard.ready.then(() => true, () => false))) return;

  const made = await createReporterToken(url, adminPassword, config.dataDir, Date.now(), log).catch((error: unknown) => {
    log(`${error instanceof Error ? error.message : String(error)}; the map will have no call statistics`);
    return undefined;
  });
  if (made) {
    reporterToken.value = made.token;
    // A run may outlast the token's day: a new one an hour before, read by the reporters through their getter.
    cleanups.push(
      keepReporterToken(made, {
        renew: (nowMs) => createReporterToken(url, adminPassword, config.dataDir, nowMs, log),
        use: (token) => (reporterToken.value = token),
        log,
      }),
    );
  }
  console.log(`\n  Switchyard demo: ${url}\n  Sign in as admin / ${adminPassword}\n  etcd: ${endpoints.join(',')}${etcdNote}`);
  console.log(`  ${summary}. Ctrl-C stops everything.\n`);
  if ('instancesOf' in fleet) {
    // Not before every instance has passed its probes (2 probes 5 s apart, on a busy start): broken
    // 5 s in, instances went from "not probed yet" straight to lost, "never probed".
    const timing = { random: Math.random, log, firstAfterMs: FLEET_SEEN_HEALTHY_MS, revertAfterMs: 30_000 };
    if (options.mode === 'fleet' && options.scenario) {
      const readyAfterMs = scenarioReadyAfterMs(options.scenario);
      if (readyAfterMs > 60_000) log(`scenario ${options.scenario} starts in ${Math.round(readyAfterMs / 60_000)} min, once latency has a baseline (5 minutes of calls)`);
      cleanups.push(scheduleScenarios(fleet, { ...timing, once: options.scenario, service: options.target }));
    }
    else if (options.mode === 'fleet' && options.chaos) cleanups.push(scheduleScenarios(fleet, { ...timing, everyMs: 45_000 }));
  }
}

let options: DemoOptions;
try {
  options = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.mode === 'help') console.log(USAGE);
else {
  // `npm run demo` installs only npm packages before this file runs, so that --help and a bad argument
  // answer at once: etcd and the production build (up to 3 minutes) are made sure of here, for a start.
  if (process.env.npm_lifecycle_event === 'demo') {
    const ensured = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/ensure.mjs', import.meta.url)), 'runtime', 'build'], { stdio: 'inherit' });
    if (ensured.status !== 0) process.exit(ensured.status ?? 1);
  }
  main(options).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    void shutdown(1);
  });
}
