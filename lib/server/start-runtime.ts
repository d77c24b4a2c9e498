import path from 'node:path';
import type { Etcd3 } from 'etcd3';
import { Server as SocketServer } from 'socket.io';
import { DEFAULT_THRESHOLDS, type HealthThresholds } from '@/lib/model/health-state';
import type { NewHistoryEvent } from '@/lib/model/events';
import { DEFAULT_TRAFFIC_THRESHOLDS, type TrafficThresholds } from '@/lib/model/status/combine';
import { printable } from '@/lib/model/printable';
import { startAlerting } from './alerts/start';
import { createCheckedVisitors } from './auth/checked-visitors';
import { secureCookies } from './auth/cookies';
import { bootstrapFirstAdmin } from './auth/first-admin';
import { createOidcFlow } from './auth/oidc-flow';
import { createOidcPendingStore } from './auth/oidc-pending';
import { createAuth } from './auth/service';
import { guardSockets, socketOriginFilter } from './auth/socket-guard';
import { createApiGate, type ApiGate } from './api-admission/gate';
import { createBodyReception } from './body-reception';
import { registerReplicaMetrics } from './cluster/metrics';
import { createLeaderHistory } from './cluster/leader-history';
import { shareLosses } from './cluster/lost-hand-off';
import { createReplicas } from './cluster/replicas';
import { deferSecondHandRows } from './cluster/second-hand-rows';
import { applySharedSignals, callsSignal, recordProbeResult } from './cluster/shared-signals';
import type { Config } from './config';
import { createDatabaseOutage } from './database-outage';
import { createEtcdClient, etcdMemberList } from './etcd/client';
import { clientPortSaid, stableClientPortOf, startLocalEtcd, type LocalEtcd } from './etcd/local';
import { createDrainService } from './drain';
import { startDrainMonitor } from './drain-monitor';
import { startHistoryPruning } from './history/pruning';
import { startHistoryRun } from './history/run';
import { openHistory } from './history/store';
import { createHealthTracker, healthChangedEvent, type HealthChange, type HealthTracker } from './health';
import { attachLiveHub, type LiveHub, type LiveServer } from './live';
import type { Listener } from './listener';
import { createMetrics } from './metrics';
import { createLostTracker } from './lost/tracker';
import { createPersistedSeries } from './metrics-store/persisted';
import { createMetricsStore, type CallObservation } from './metrics-store/store';
import { startSweeping } from './metrics-store/sweeper';
import { createOtlpIntake } from './otlp/intake';
import { createProber, type Prober } from './prober/prober';
import { createLineageBook } from './registry/lineage';
import { createRegistry } from './registry/sync';
import { createRuntimeParts, type RuntimeParts } from './parts';
import { publishRuntime, type Runtime } from './runtime';
import { createStore, type Store } from './store/store';
import { createStatusPublisher } from './status/publisher';
import { readRecordedDown, readRecordedFlaps } from './status/recorded-flaps';
import { startMembershipStatus } from './status/membership';
import { startTrafficStatus } from './status/traffic';
import { startTopologyLayout } from './topology-layout/service';
import { wallClockMs } from './wall-clock';

export interface RunningRuntime extends Runtime {
  /** The whole store; route handlers see only its `StoreView`. */
  store: Store;
  etcd: Etcd3;
  localEtcd: LocalEtcd | undefined;
  /** Probe results → instance status; status changes also go to `hooks.onHealthChange`. */
  health: HealthTracker;
  prober: Prober;
  /** API requests handled at once, per client and in all (server.ts admits each before Next sees it). */
  apiGate: ApiGate;
  /** Hosts Socket.IO on the given HTTP or HTTPS server; throws once stop() has begun. */
  attach(server: Listener): LiveServer;
  stop(): Promise<void>;
}

export interface RuntimeHooks {
  /** Every health status change (with its cause and the failing response's first bytes). */
  onHealthChange?: (change: HealthChange) => void;
}

/** One line per message: error texts can quote etcd keys and values, which may carry escape sequences. */
const log = (message: string): void => console.log(`${new Date().toISOString()} ${printable(message)}`);

/**
 * The one place that wires the runtime: etcd → registry → store → live hub, plus prober, health,
 * metrics and the replicas' sharing. Each part is recorded as it starts; `stop` (and a failed
 * start) stops them in reverse order.
 */
export async function startRuntime(config: Config, hooks: RuntimeHooks = {}): Promise<RunningRuntime> {
  const parts = createRuntimeParts(log);
  try {
    return await wire(config, hooks, parts);
  } catch (error) {
    await parts.stopAll();
    throw error;
  }
}

async function wire(config: Config, hooks: RuntimeHooks, parts: RuntimeParts): Promise<RunningRuntime> {
  // On a port that stays from one start to the next: services are pointed at it once.
  const localEtcd = config.ETCD_ENDPOINTS?.length
    ? undefined
    : parts.add('local etcd', await startLocalEtcd(path.join(config.dataDir, 'etcd'), { ownProcessGroup: true, stableClientPort: stableClientPortOf(config) }), (local) => local.stop());
  if (localEtcd) log(`started local etcd at ${localEtcd.endpoint} (${clientPortSaid(localEtcd)}; data in ${localEtcd.dataDir})`);
  const endpoints = localEtcd ? [localEtcd.endpoint] : (config.ETCD_ENDPOINTS ?? []);
  const etcd = parts.add(
    'etcd client',
    createEtcdClient({ endpoints, username: config.ETCD_USERNAME, password: config.ETCD_PASSWORD, caFile: config.ETCD_CA_FILE, certFile: config.ETCD_CERT_FILE, keyFile: config.ETCD_KEY_FILE }),
    (client) => client.close(),
  );
  const store = parts.add('store', createStore({ coalesceMs: config.SWITCHYARD_COALESCE_MS }), (created) => created.close());
  const metrics = createMetrics(store);
  /** The live hub, once a server is attached: committed history goes to the sockets following it. */
  let hub: LiveHub | undefined;
  const history = parts.add(
    'history',
    await openHistory({
      ...(config.DATABASE_URL !== undefined ? { url: config.DATABASE_URL } : { file: path.join(config.dataDir, 'history.sqlite') }),
      onAppended: (events) => hub?.publishHistory(events),
      log,
    }),
    (opened) => opened.close(),
  );
  // With a shared PostgreSQL, replicas divide probing and leader duties through etcd and pass on what they learn.
  const replicas = createReplicas({ databaseUrl: config.DATABASE_URL, etcd, controlPrefix: config.SWITCHYARD_CONTROL_PREFIX, ttlSeconds: config.SWITCHYARD_REPLICA_TTL_SECONDS, log });
  const { membership, bus } = replicas;
  const database = createDatabaseOutage({ now: wallClockMs, log });
  const auth = createAuth({
    // The request paths' clock: Node's own, not the one Next installs (wall-clock.ts).
    now: wallClockMs,
    outage: database,
    db: history.db,
    audit: (event) => history.append(event),
    idleSeconds: config.SWITCHYARD_SESSION_IDLE_SECONDS,
    maxSeconds: config.SWITCHYARD_SESSION_MAX_SECONDS,
    tellReplicas: (credentialIds) => bus.publish('sessions', { credentialIds }),
  });
  await bootstrapFirstAdmin(auth, { password: config.SWITCHYARD_ADMIN_PASSWORD, chosenByDemo: config.SWITCHYARD_INTERNAL_ADMIN_PASSWORD_CHOSEN_BY === 'demo' }, log);
  parts.add('history run', await startHistoryRun(history), (run) => run.stop());
  await replicas.start();
  parts.add('replicas', replicas, (started) => started.stop());
  // Events every replica sees alike but no natural key makes idempotent are written by the leader alone;
  // a new leader adds those its predecessor left unwritten (cluster/leader-history.ts).
  const leaderHistory = parts.add('leader history', createLeaderHistory({ membership, history, log }), (started) => started.stop());
  const appendAsLeader = (event: NewHistoryEvent): void => leaderHistory.append(event);
  parts.add('history pruning', startHistoryPruning(history, { shouldPrune: () => membership.isLeader(), log }), (pruning) => pruning.stop());
  // One writer of instance status: probes and reported calls combined, one cause (DESIGN §6).
  const publisherStartedMs = wallClockMs();
  const publisher = parts.add(
    'status publisher',
    createStatusPublisher({
      store,
      // Flapping counts outlive a restart: the window's changes as History holds them, read once (asked before the registry's start-up reads, so before any verdict).
      recordedFlaps: readRecordedFlaps(history, publisherStartedMs, log),
      // And, at the registry's first listing, what the rows before left an instance present then with none in the window.
      recordedDown: (instances) => readRecordedDown(history, instances, publisherStartedMs),
      log,
      onChange: (change) => {
        appendAsLeader(healthChangedEvent(change));
        hooks.onHealthChange?.(change);
      },
    }),
    (started) => started.stop(),
  );
  // Before the lost instances: they tell it which departures were on purpose.
  const membershipStatus = parts.add('membership status', startMembershipStatus({ store, publisher }), (status) => status.stop());
  const healthThresholds = (service: string): HealthThresholds => ({ ...DEFAULT_THRESHOLDS, ...config.SWITCHYARD_HEALTH_OVERRIDES.get(service) });
  const lost = parts.add(
    'lost instances',
    createLostTracker({
      store,
      retentionSeconds: config.SWITCHYARD_LOST_RETENTION_SECONDS,
      onHistory: appendAsLeader,
      departedCheckMs: config.SWITCHYARD_DEPARTED_CHECK_SECONDS * 1_000,
      onDeparted: (service) => membershipStatus.departed(service),
      log,
      // The prober is created below; a departed instance is first probed seconds after its key went.
      probeDeparted: async (instance) => {
        const { at, ok, latencyMs, error } = await prober.probeOnce(instance);
        return { at, ok, latencyMs, ...(error !== undefined ? { error } : {}) };
      },
      // An instance out of discovery that stops answering is lost by the rule a registered one goes critical by.
      failAfter: (service) => healthThresholds(service).failAfter,
    }),
    (tracker) => tracker.stop(),
  );
  const lineages = createLineageBook(await history.lineages(), (id, record) => {
    history.saveLineage(id, record).catch((error: unknown) => log(`history: lineage ${id} not saved: ${String(error)}`));
  });
  // With replicas, the watch's drain rows let the API's (with the operator) in first (cluster/second-hand-rows.ts).
  const registryRows = replicas.shared ? parts.add('second-hand drain rows', deferSecondHandRows(history), (rows) => rows.stop()) : history;
  const registry = createRegistry({
    client: etcd,
    store,
    prefixes: config.SWITCHYARD_PREFIXES ?? [],
    controlPrefix: config.SWITCHYARD_CONTROL_PREFIX,
    counters: metrics.counters,
    log,
    onHistory: (event) => registryRows.append(event),
    // What was open when the previous run ended (a crash included): the first listing closes what etcd no longer has.
    openRegistrations: await history.openRegistrations(),
    openDrains: await history.openDrains(),
    lineages,
    onKeyGoing: (etcdKey, leaseAfter, deletedRevision) => lost.keyGoing(etcdKey, leaseAfter, deletedRevision),
    onRelisted: () => {
      // Told at the listing, before the watch's replay of what was written meanwhile (synced() waits for
      // that): those keys have registration rows in History, so they are new, their first failure a change.
      publisher.registryListed();
      lost.relisted();
    },
  });
  registry.start();
  parts.add('registry', registry, (started) => started.stop());
  // Closed minute slots go to the store and the last day comes back from it: charts survive a restart.
  // Every replica holds the same series (calls and probe results are shared), so the leader alone writes and prunes them.
  const persistedSeries = createPersistedSeries({ db: history.db, retentionDays: config.SWITCHYARD_SERIES_RETENTION_DAYS, log, shouldPrune: () => membership.isLeader() });
  const latency = createMetricsStore({
    now: wallClockMs,
    // Alone (SQLite) there is nobody to pass calls on to: no copy is made per recorded interval.
    ...(replicas.shared ? { onRecorded: (observation: CallObservation) => bus.publish('calls', callsSignal(observation)) } : {}),
    onMinutesClosed: (closed) => persistedSeries.enqueue(closed),
    persistsMinutes: () => membership.isLeader(),
  });
  // Said only when there was something: "restored 0" on a first start told a newcomer nothing.
  const restoredSlots = await persistedSeries.restoreInto(latency);
  if (restoredSlots > 0) log(`latency series: restored ${restoredSlots} minute slot(s) of the last day, so the charts go on from before this start`);
  persistedSeries.start();
  // Stopping closes the open minutes, so a clean restart loses none of them.
  parts.add('persisted series', persistedSeries, async (started) => {
    latency.closeOpenSlots();
    await started.stop();
  });
  const otlp = createOtlpIntake({ store, latency, now: wallClockMs, log, departureChecked: (service, key) => lost.checksDeparture(service, key) });
  metrics.watchOtlp(otlp);
  const bodies = createBodyReception();
  metrics.watchBodies(bodies);
  const apiGate = createApiGate({
    clientInFlight: config.SWITCHYARD_API_CLIENT_CONCURRENCY,
    clientWaiting: config.SWITCHYARD_API_CLIENT_QUEUE,
    totalInFlight: config.SWITCHYARD_API_CONCURRENCY,
    totalWaiting: config.SWITCHYARD_API_QUEUE,
  });
  metrics.watchApi(apiGate.admission);
  parts.add('sweeper', startSweeping([otlp.traces, latency]), (sweeper) => sweeper.stop());
  const topologyLayout = parts.add('topology layout', startTopologyLayout({ store, latency, log }), (layout) => layout.stop());
  const health = createHealthTracker({
    store,
    thresholdsFor: healthThresholds,
    publish: (key, facts, change) => publisher.probe(key, facts, change),
  });
  const trafficThresholds = (service: string): TrafficThresholds => ({ ...DEFAULT_TRAFFIC_THRESHOLDS, ...config.SWITCHYARD_HEALTH_OVERRIDES.get(service) });
  parts.add('traffic status', startTrafficStatus({ store, latency, publisher, thresholdsFor: trafficThresholds }), (stop) => stop());
  const prober = createProber({
    store,
    tracker: health,
    owns: (key) => membership.owns(key),
    onResult: (key, result) => {
      recordProbeResult(latency, key, result);
      bus.publish('probe', { key, result });
    },
    onStandInProbe: (key, { at, ok, latencyMs, error }) => lost.standInProbed(key, { at, ok, latencyMs, ...(error !== undefined ? { error } : {}) }),
    intervalMs: config.SWITCHYARD_PROBE_INTERVAL_MS,
    timeoutMs: config.SWITCHYARD_PROBE_TIMEOUT_MS,
    concurrency: config.SWITCHYARD_PROBE_CONCURRENCY,
    allowCidrs: config.SWITCHYARD_PROBE_ALLOW_CIDRS,
    denyCidrs: config.SWITCHYARD_PROBE_DENY_CIDRS,
    etcdEndpoints: endpoints,
    etcdMembers: () => etcdMemberList(etcd),
  });
  registerReplicaMetrics(metrics.registry, { membership, bus, probes: () => prober.stats() });
  parts.add('shared signals', applySharedSignals({ bus, store, health, latency, forgetRevoked: (ids) => auth.forgetRevoked(ids), now: wallClockMs }), (stop) => stop());
  // Losses seen before this replica started, and dismissals taken on another, through the same bus.
  // Asked once the registry has listed etcd: a loss whose instance is registered again is then known as such.
  const sharedLosses = parts.add('shared losses', shareLosses({ bus, lost, self: membership.id, ready: registry.synced(), retentionSeconds: config.SWITCHYARD_LOST_RETENTION_SECONDS }), (shared) => shared.stop());
  await prober.start();
  parts.add('prober', prober, (started) => started.stop());
  const drains = createDrainService({ client: etcd, store, controlPrefix: config.SWITCHYARD_CONTROL_PREFIX, record: (event) => history.append(event), lineage: () => registry.lineage() });
  parts.add('drain monitor', startDrainMonitor({ store, latency, quietSeconds: config.SWITCHYARD_DRAIN_QUIET_SECONDS }), (stop) => stop());
  const alerts = parts.add('alerts', startAlerting({ config, store, latency, history, metrics, log, delivers: () => membership.isLeader() }), (started) => started.stop());

  /** Set as stop() begins: what attach() would start then is added after the parts were stopped, so nothing would stop it. */
  let stopping = false;
  const runtime: RunningRuntime = {
    config,
    etcdEndpoints: endpoints,
    store,
    registry,
    metrics,
    latency,
    otlp,
    history,
    drains,
    lost: sharedLosses.lost,
    auth,
    checkedVisitors: createCheckedVisitors(),
    database,
    bodies,
    apiGate,
    apiAdmission: apiGate.admission,
    oidc: createOidcFlow(config, createOidcPendingStore({ db: history.db, now: wallClockMs })),
    topologyLayout,
    alerts,
    etcd,
    localEtcd,
    health,
    prober,
    attach(server) {
      if (stopping) throw new Error('the runtime is stopped: no server can be attached to it');
      const denyOwnAddress = (): void => {
        const address = server.address();
        if (typeof address === 'object' && address) prober.denyListener(address.address, address.port);
      };
      if (server.listening) denyOwnAddress();
      else server.once('listening', denyOwnAddress);
      const io: LiveServer = new SocketServer(server, { maxHttpBufferSize: 16 * 1024, serveClient: false, allowRequest: socketOriginFilter(config.SWITCHYARD_PUBLIC_URL) });
      const unguardSockets = guardSockets(io, auth, secureCookies(config));
      const liveHub = attachLiveHub(io, store, (count) => metrics.socketsConnected.set(count), { onSlowConsumer: () => metrics.counters.slowConsumers() });
      hub = liveHub;
      parts.add('live sockets', io, async (sockets) => {
        liveHub.close();
        unguardSockets();
        await sockets.close();
      });
      return io;
    },
    async stop() {
      stopping = true;
      publishRuntime(undefined);
      await parts.stopAll();
    },
  };
  publishRuntime(runtime);
  return runtime;
}
