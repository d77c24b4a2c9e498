import type { Server as HttpServer } from 'node:http';
import path from 'node:path';
import type { Etcd3 } from 'etcd3';
import { Server as SocketServer } from 'socket.io';
import type { Config } from './config';
import { createEtcdClient } from './etcd/client';
import { startLocalEtcd, type LocalEtcd } from './etcd/local';
import { attachLiveHub, type LiveServer } from './live';
import { createMetrics } from './metrics';
import { createMetricsStore } from './metrics-store/store';
import { createRegistry } from './registry/sync';
import { publishRuntime, type Runtime } from './runtime';
import { createStore } from './store';

export interface RunningRuntime extends Runtime {
  etcd: Etcd3;
  localEtcd: LocalEtcd | undefined;
  /** Hosts Socket.IO on the given HTTP server. */
  attach(server: HttpServer): LiveServer;
  stop(): Promise<void>;
}

const log = (message: string): void => console.log(`${new Date().toISOString()} ${message}`);

/** The one place that wires the runtime: etcd → registry → store → live hub, plus metrics. */
export async function startRuntime(config: Config): Promise<RunningRuntime> {
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
  const store = createStore({ coalesceMs: config.SWITCHYARD_COALESCE_MS });
  const metrics = createMetrics(store);
  const registry = createRegistry({
    client: etcd,
    store,
    prefixes: config.SWITCHYARD_PREFIXES ?? [],
    controlPrefix: config.SWITCHYARD_CONTROL_PREFIX,
    counters: metrics.counters,
    log,
  });
  registry.start();
  const latency = createMetricsStore();
  const sweeper = setInterval(() => latency.sweep(), 5_000);
  sweeper.unref();
  let io: LiveServer | undefined;
  let detachHub: (() => void) | undefined;

  const runtime: RunningRuntime = {
    config,
    store,
    registry,
    metrics,
    latency,
    etcd,
    localEtcd,
    attach(server) {
      io = new SocketServer(server, { maxHttpBufferSize: 16 * 1024, serveClient: false });
      detachHub = attachLiveHub(io, store, (count) => metrics.socketsConnected.set(count));
      return io;
    },
    async stop() {
      publishRuntime(undefined);
      clearInterval(sweeper);
      detachHub?.();
      if (io) await io.close();
      await registry.stop();
      store.close();
      etcd.close();
      await localEtcd?.stop();
    },
  };
  publishRuntime(runtime);
  return runtime;
}
