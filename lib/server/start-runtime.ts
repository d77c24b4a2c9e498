import path from 'node:path';
import type { Etcd3 } from 'etcd3';
import { Server as SocketServer } from 'socket.io';
import { DEFAULT_THRESHOLDS } from '@/lib/model/health-state';
import { DEFAULT_TRAFFIC_THRESHOLDS } from '@/lib/model/status/combine';
import { printable } from '@/lib/model/printable';
import { secureCookies } from './auth/cookies';
import { createOidcFlow } from './auth/oidc-flow';
import { createAuth } from './auth/service';
import { guardSockets, socketOriginFilter } from './auth/socket-guard';
import { registerReplicaMetrics } from './cluster/metrics';
import { createReplicas } from './cluster/replicas';
import { applySharedSignals, callsSignal } from './cluster/shared-signals';
import type { Config } from './config';
import { createEtcdClient } from './etcd/client';
import { startLocalEtcd, type LocalEtcd } from './etcd/local';
import { createDrainService } from './drain';
import { startDrainMonitor } from './drain-monitor';
import { openHistory } from './history/store';
import { createHealthTracker, type HealthChange, type HealthTracker } from './health';
import { attachLiveHub, type LiveServer } from './live';
import type { Listener } from './listener';
import { createMetrics } from './metrics';
import { createLostTracker } from './lost/tracker';
import { createMetricsStore } from './metrics-store/store';
import { createOtlpIntake } from './otlp/intake';
import { createProber, type Prober } from './prober/prober';
import { createLineageBook } from './registry/lineage';
import { createRegistry } from './registry/sync';
import { publishRuntime, type Runtime } from './runtime';
import { createStore, type Store } from './store/store';
import { createStatusPublisher } from './status/publisher';
import { startMembershipStatus } from './status/membership';
import { startTrafficStatus } from './status/traffic';
import { startTopologyLayout } from './topology-layout/service';

export interface RunningRuntime extends Runtime {
  /** The whole store; route handlers see only its `StoreView`. */
  store: Store;
  etcd: Etcd3;
  localEtcd: LocalEtcd | undefined;
  /** Probe results → instance status; status changes also go to `hooks.onHealthChange`. */
  health: HealthTracker;
  prober: Prober;
  /** Hosts Socket.IO on the given HTTP or HTTPS server. */
  attach(server: Listener): LiveServer;
  stop(): Promise<void>;
}

export interface RuntimeHooks {
  /** Every health status change (with its cause and the failing response's first bytes). */
  onHealthChange?: (change: HealthChange) => void;
}

/** One line per message: error texts can quote etcd keys and values, which may carry escape sequences. */
const log = (message: string): void => console.log(`${new Date().toISOString()} ${printable(message)}`);

/** The one place that wires the runtime: etcd → registry → store → live hub, plus prober, health and metrics. */
export async function startRuntime(config: Config, hooks: RuntimeHooks = {}): Promise<RunningRuntime> {
  let localEtcd: LocalEtcd | undefined;
  let endpoints = config.ETCD_ENDPOINTS ?? [];
  if (endpoints.length === 0) {
    localEtcd = await startLocalEtcd(path.join(config.dataDir, 'etcd'));
    endpoints = [localEtcd.endpoint];
    log(`started local etcd at ${localEtcd.endpoint} (data in ${localEtcd.dataDir})`);
  }
  const etcd = createEtcdClient({
    endpoints,
    username: config.ETCD_USERNAME,
    password: config.ETCD_PASSWORD,
    caFile: config.ETCD_CA_FILE,
    certFile: config.ETCD_CERT_FILE,
    keyFile: config.ETCD_KEY_FILE,
  });
  // With a shared PostgreSQL, replicas divide probing and leader duties through etcd and pass on what they learn.
  const replicas = createReplicas({
    databaseUrl: config.DATABASE_URL,
    etcd,
    controlPrefix: config.SWITCHYARD_CONTROL_PREFIX,
    ttlSeconds: config.SWITCHYARD_REPLICA_TTL_SECONDS,
    log,
  });
  const { membership, bus } = replicas;
  const store = createStore({ coalesceMs: config.SWITCHYARD_COALESCE_MS });
  const metrics = createMetrics(store);
  let io: LiveServer | undefined;
  const history = await openHistory({
    ...(config.DATABASE_URL !== undefined ? { url: config.DATABASE_URL } : { file: path.join(config.dataDir, 'history.sqlite') }),
    onAppended: (events) => io?.emit('history:events', events),
  });
  const auth = createAuth({
    db: history.db,
    audit: (event) => history.append(event),
    idleSeconds: config.SWITCHYARD_SESSION_IDLE_SECONDS,
    maxSeconds: config.SWITCHYARD_SESSION_MAX_SECONDS,
    tellReplicas: (credentialIds) => bus.publish('sessions', { credentialIds }),
  });
  const firstAdmin = await auth.bootstrap(config.SWITCHYARD_ADMIN_PASSWORD);
  if (firstAdmin.created) {
    log(
      firstAdmin.generated
        ? `first start: created user "${firstAdmin.name}" with password ${firstAdmin.password} (shown only this once; change it on the Access page)`
        : `first start: created user "${firstAdmin.name}" with the password from SWITCHYARD_ADMIN_PASSWORD`,
    );
  }
  const run = await history.beginRun();
  if (run.previousEnd) {
    const from = new Date(run.previousEnd.atMs).toISOString();
    history.append({
      at: from,
      until: new Date().toISOString(),
      kind: 'history.gap',
      detail: `Switchyard was not watching from ${from} until it started again (${run.previousEnd.clean ? 'stopped' : 'crashed or was killed'}); changes in between are known only from the relist`,
      naturalKey: `gap:${run.runId}`,
    });
  }
  // The heartbeat bounds how much of a crash's downtime the next start can miss.
  const heartbeat = setInterval(() => void history.heartbeat(run.runId), 5_000);
  heartbeat.unref();
  await replicas.start();
  // Events every replica sees alike but no natural key makes idempotent are written by the leader alone.
  const appendAsLeader = (event: Parameters<typeof history.append>[0]): void => {
    if (membership.isLeader()) history.append(event);
  };
  const prune = (): void => {
    if (!membership.isLeader()) return;
    history.pruneOlderThan(history.retentionCutoff()).catch((error: unknown) => log(`history prune failed: ${String(error)}`));
  };
  const pruner = setInterval(prune, 3_600_000);
  pruner.unref();
  prune();
  const lost = createLostTracker({
    store,
    retentionSeconds: config.SWITCHYARD_LOST_RETENTION_SECONDS,
    onHistory: appendAsLeader,
  });
  const lineages = createLineageBook(await history.lineages(), (id, record) => {
    history.saveLineage(id, record).catch((error: unknown) => log(`history: lineage ${id} not saved: ${String(error)}`));
  });
  const registry = createRegistry({
    client: etcd,
    store,
    prefixes: config.SWITCHYARD_PREFIXES ?? [],
    controlPrefix: config.SWITCHYARD_CONTROL_PREFIX,
    counters: metrics.counters,
    log,
    onHistory: (event) => history.append(event),
    // What was open when the previous run ended (a crash included): the first listing closes what etcd no longer has.
    openRegistrations: await history.openRegistrations(),
    openDrains: await history.openDrains(),
    lineages,
    onKeyGoing: (etcdKey, leaseAfter) => lost.keyGoing(etcdKey, leaseAfter),
    onRelisted: () => lost.relisted(),
  });
  registry.start();
  const latency = createMetricsStore({ onRecorded: (observation) => bus.publish('calls', callsSignal(observation)) });
  const otlp = createOtlpIntake({ store, latency });
  metrics.watchOtlp(otlp);
  const sweeper = setInterval(() => {
    otlp.traces.sweep();
    latency.sweep();
  }, 5_000);
  sweeper.unref();
  const topologyLayout = startTopologyLayout({ store, latency, log });
  // One writer of instance status: probes and reported calls combined, one cause (DESIGN §6).
  const publisher = createStatusPublisher({
    store,
    onChange: (change) => {
      appendAsLeader({
        at: change.at,
        kind: 'health.changed',
        service: change.service,
        instance: change.instance,
        from: change.from,
        to: change.to,
        detail: change.detail ? `${change.cause} — response began: ${change.detail}` : change.cause,
      });
      hooks.onHealthChange?.(change);
    },
  });
  const health = createHealthTracker({
    store,
    thresholdsFor: (service) => ({ ...DEFAULT_THRESHOLDS, ...config.SWITCHYARD_HEALTH_OVERRIDES.get(service) }),
    publish: (key, facts, change) => publisher.probe(key, facts, change),
  });
  const stopTrafficStatus = startTrafficStatus({
    store,
    latency,
    publisher,
    thresholdsFor: (service) => ({ ...DEFAULT_TRAFFIC_THRESHOLDS, ...config.SWITCHYARD_HEALTH_OVERRIDES.get(service) }),
  });
  const stopMembershipStatus = startMembershipStatus({ store, publisher });
  const prober = createProber({
    store,
    tracker: health,
    owns: (key) => membership.owns(key),
    onResult: (key, result) => {
      latency.recordProbe(key, Date.parse(result.at), result.latencyMs, result.ok);
      bus.publish('probe', { key, result });
    },
    intervalMs: config.SWITCHYARD_PROBE_INTERVAL_MS,
    timeoutMs: config.SWITCHYARD_PROBE_TIMEOUT_MS,
    concurrency: config.SWITCHYARD_PROBE_CONCURRENCY,
    allowCidrs: config.SWITCHYARD_PROBE_ALLOW_CIDRS,
    denyCidrs: config.SWITCHYARD_PROBE_DENY_CIDRS,
    etcdEndpoints: endpoints,
    etcdMembers: async () => (await etcd.cluster.memberList({})).members.map((member) => ({ name: member.name, clientUrls: member.clientURLs, peerUrls: member.peerURLs })),
  });
  registerReplicaMetrics(metrics.registry, { membership, bus, probes: () => prober.stats() });
  const stopSharedSignals = applySharedSignals({ bus, store, health, latency, forgetRevoked: (ids) => auth.forgetRevoked(ids) });
  await prober.start();
  const drains = createDrainService({ client: etcd, store, controlPrefix: config.SWITCHYARD_CONTROL_PREFIX, record: (event) => history.append(event), lineage: () => registry.lineage() });
  const stopDrainMonitor = startDrainMonitor({ store, latency, quietSeconds: config.SWITCHYARD_DRAIN_QUIET_SECONDS });
  let detachHub: (() => void) | undefined;
  let unguardSockets: (() => void) | undefined;

  const runtime: RunningRuntime = {
    config,
    store,
    registry,
    metrics,
    latency,
    otlp,
    history,
    drains,
    lost,
    auth,
    oidc: createOidcFlow(config),
    topologyLayout,
    etcd,
    localEtcd,
    health,
    prober,
    attach(server) {
      const denyOwnAddress = (): void => {
        const address = server.address();
        if (typeof address === 'object' && address) prober.denyListener(address.address, address.port);
      };
      if (server.listening) denyOwnAddress();
      else server.once('listening', denyOwnAddress);
      io = new SocketServer(server, { maxHttpBufferSize: 16 * 1024, serveClient: false, allowRequest: socketOriginFilter(config.SWITCHYARD_PUBLIC_URL) });
      unguardSockets = guardSockets(io, auth, secureCookies(config));
      detachHub = attachLiveHub(io, store, (count) => metrics.socketsConnected.set(count));
      return io;
    },
    async stop() {
      publishRuntime(undefined);
      await prober.stop();
      stopSharedSignals();
      stopDrainMonitor();
      stopTrafficStatus();
      stopMembershipStatus();
      publisher.stop();
      clearInterval(sweeper);
      topologyLayout.stop();
      detachHub?.();
      unguardSockets?.();
      if (io) await io.close();
      await registry.stop();
      await replicas.stop();
      lost.stop();
      clearInterval(heartbeat);
      clearInterval(pruner);
      await history.endRun(run.runId);
      await history.close();
      store.close();
      etcd.close();
      await localEtcd?.stop();
    },
  };
  publishRuntime(runtime);
  return runtime;
}
