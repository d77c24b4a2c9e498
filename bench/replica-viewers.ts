// Child process of bench/replicas.ts: viewers spread over the replicas. Puts, a raw etcd watcher and
// every Socket.IO client share this process and its clock; the replicas are processes of their own.
import { performance } from 'node:perf_hooks';
import type { ServiceDelta } from '@/lib/model/live';
import { liveClient, rawEtcd, sleep, subscribeServices, upgraded, within, type LiveClient } from './clients';
import { ViewersMessageSchema, ViewersRunSchema, type ViewersMessage, type ViewersRun } from './replica-viewers-messages';
import { summarize } from './stats';

const SERVICE = 'bench-viewers';
const PREFIX = `/services/${SERVICE}/`;
const GRACE_MS = 5_000;

const reply = (message: ViewersMessage): void => {
  process.send?.(ViewersMessageSchema.parse(message));
};

async function connect(url: string, token: string, received: Map<string, number>): Promise<LiveClient> {
  const socket = liveClient(url, token);
  // The bench service's page: its view carries the instances.
  const snapshot = subscribeServices(socket, [SERVICE]);
  socket.on('service:delta', (delta: ServiceDelta) => {
    const at = performance.now();
    for (const change of delta.changes) {
      if (change.op === 'upsert' && change.instance.key.startsWith(PREFIX) && !received.has(change.instance.key)) received.set(change.instance.key, at);
    }
  });
  await within(snapshot, 30_000, `the first service:snapshot from ${url}`);
  await upgraded(socket, 30_000);
  return socket;
}

async function run(plan: ViewersRun): Promise<ViewersMessage> {
  const putter = rawEtcd(plan.etcdEndpoint);
  const watcherClient = rawEtcd(plan.etcdEndpoint);
  const raw = new Map<string, number>();
  const viewers = plan.urls.flatMap((url) => Array.from({ length: plan.viewersPerReplica }, () => ({ url, received: new Map<string, number>() })));
  const sockets: LiveClient[] = [];
  const watcher = await watcherClient.watch().prefix(PREFIX).create();
  watcher.on('put', (kv) => {
    const key = kv.key.toString('utf8');
    if (!raw.has(key)) raw.set(key, performance.now());
  });
  try {
    for (const viewer of viewers) sockets.push(await connect(viewer.url, plan.token, viewer.received));
    const total = plan.putsPerSecond * plan.seconds;
    const acked = new Map<string, number>();
    let putErrors = 0;
    const started = performance.now();
    for (let n = 0; n < total; n += 1) {
      const due = started + (n * 1_000) / plan.putsPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const key = `${PREFIX}v-${n}`;
      putter
        .put(key)
        .value(JSON.stringify({ address: plan.address, health: { http: '/healthz' } }))
        .then(
          () => acked.set(key, performance.now()),
          () => (putErrors += 1),
        );
    }
    const complete = (): boolean => acked.size + putErrors >= total && [...acked.keys()].every((key) => raw.has(key) && viewers.every((viewer) => viewer.received.has(key)));
    const deadline = performance.now() + GRACE_MS;
    while (!complete() && performance.now() < deadline) await sleep(20);
    const rawLatency: number[] = [];
    const oursLatency: number[] = [];
    let rawMissing = 0;
    let oursMissing = 0;
    for (const [key, at] of acked) {
      const rawAt = raw.get(key);
      if (rawAt === undefined) rawMissing += 1;
      else rawLatency.push(rawAt - at);
      for (const viewer of viewers) {
        const seen = viewer.received.get(key);
        if (seen === undefined) oursMissing += 1;
        else oursLatency.push(seen - at);
      }
    }
    if (rawLatency.length === 0 || oursLatency.length === 0) throw new Error(`viewers: nothing measured (acked ${acked.size}, errors ${putErrors})`);
    return {
      type: 'viewers-measured',
      viewers: viewers.length,
      puts: total,
      putErrors,
      raw: summarize(rawLatency),
      ours: summarize(oursLatency),
      rawMissing,
      oursMissing,
    };
  } finally {
    for (const socket of sockets) socket.close();
    await watcher.cancel().catch(() => undefined);
    await putter.delete().prefix(PREFIX).catch(() => undefined);
    putter.close();
    watcherClient.close();
  }
}

process.once('message', (message) => {
  run(ViewersRunSchema.parse(message)).then(
    (measured) => {
      reply(measured);
      setTimeout(() => process.exit(0), 100).unref();
    },
    (error: unknown) => {
      reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      setTimeout(() => process.exit(1), 100).unref();
    },
  );
});
process.on('disconnect', () => process.exit(0));
