// Child process of bench/scale.ts: a share of the viewers, and a raw etcd watcher on the same
// prefix, on this process's clock. The load generator (puts) is the parent; times cross processes
// as epoch ms (performance.timeOrigin + now, ±1 ms). Not imported by anything else.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Etcd3, type Watcher } from 'etcd3';
import { ParentToViewersSchema, ViewersToParentSchema, type ParentToViewers, type ViewersToParent } from './scale-messages';
import { epochNow, type ViewerSession } from './scale-viewer';
import { perViewProtocol } from './scale-viewer-per-view';

const UPGRADE_TIMEOUT_MS = 30_000;

const reply = (message: ViewersToParent): void => {
  process.send?.(ViewersToParentSchema.parse(message));
};

interface Viewer {
  service: string;
  firstView: boolean;
  session: ViewerSession;
  /** etcd key → first receipt (epoch ms). */
  received: Map<string, number>;
}

const viewers: Viewer[] = [];
const raw = new Map<string, number>();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let etcd: Etcd3 | undefined;
let watcher: Watcher | undefined;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

let started: Extract<ParentToViewers, { type: 'start' }> | undefined;

async function start(message: Extract<ParentToViewers, { type: 'start' }>): Promise<void> {
  started = message;
  etcd = new Etcd3({ hosts: message.etcdEndpoint });
  watcher = await etcd.watch().prefix(message.prefix).create();
  watcher.on('put', (kv) => {
    const at = epochNow();
    const key = kv.key.toString('utf8');
    if (!raw.has(key)) raw.set(key, at);
  });
  reply({ type: 'ready' });
}

async function connect(connectAt: number): Promise<void> {
  const message = started;
  if (!message) throw new Error('connect before start');
  const wait = connectAt - epochNow();
  if (wait > 0) await sleep(wait);
  const firstViews: Promise<number | undefined>[] = [];
  for (const service of message.services) {
    const session = perViewProtocol.connect(message.url, message.token);
    const viewer: Viewer = { service, firstView: false, session, received: new Map() };
    session.onKey((key, at) => {
      if (!viewer.received.has(key)) viewer.received.set(key, at);
    });
    viewers.push(viewer);
    const summary = session.subscribe({ view: 'summary' }).then((at) => {
      viewer.firstView = true;
      return at - connectAt;
    });
    // The service page's view too; the first view counted is the summary's (the list, the map, the header).
    void session.subscribe({ view: 'service', service }).catch(() => undefined);
    firstViews.push(withTimeout(summary, message.firstViewTimeoutMs).catch(() => undefined));
  }
  const times = await Promise.all(firstViews);
  // Decoded one after another once every first view is in: 25 viewers decoding side by side in one
  // process would measure this process, not the server (each viewer is a tab on its own machine).
  const deliveredMs: number[] = [];
  const decodeMs: number[] = [];
  const servicesSeen: number[] = [];
  const firstViewMs: number[] = [];
  for (const [index, viewer] of viewers.entries()) {
    const delivered = times[index];
    if (delivered === undefined) continue;
    const decoded = await viewer.session.decodeSummary();
    if (!decoded) continue;
    deliveredMs.push(delivered);
    decodeMs.push(decoded.ms);
    servicesSeen.push(decoded.services);
    firstViewMs.push(delivered + decoded.ms);
  }
  const upgrades = await Promise.allSettled(viewers.map((viewer) => viewer.session.upgraded(UPGRADE_TIMEOUT_MS)));
  const traffic = viewers.map((viewer) => viewer.session.traffic());
  reply({
    type: 'connected',
    firstViewMs,
    deliveredMs,
    decodeMs,
    servicesSeen,
    firstViewMissing: times.length - firstViewMs.length,
    notUpgraded: upgrades.filter((upgrade) => upgrade.status === 'rejected').length,
    largestMessage: Math.max(0, ...traffic.map((t) => t.largestMessage)),
    bytesPerViewer: traffic.reduce((total, t) => total + t.bytes, 0) / Math.max(1, traffic.length),
    problems: tallyProblems(),
  });
  loopDelay.enable();
}

function tallyProblems(): [string, number][] {
  const tally = new Map<string, number>();
  for (const viewer of viewers) {
    const problem = viewer.session.problem();
    if (problem) tally.set(problem.slice(0, 200), (tally.get(problem.slice(0, 200)) ?? 0) + 1);
  }
  return [...tally].slice(0, 20);
}

async function collect(message: Extract<ParentToViewers, { type: 'collect' }>): Promise<void> {
  const complete = (): boolean =>
    message.acked.every(([key, service]) => raw.has(key) && viewers.every((viewer) => viewer.service !== service || viewer.received.has(key)));
  const deadline = epochNow() + message.graceMs;
  while (!complete() && epochNow() < deadline) await sleep(50);
  loopDelay.disable();
  const rawLatency: number[] = [];
  const ours: number[] = [];
  let rawMissing = 0;
  let oursMissing = 0;
  let oursMissingWithoutFirstView = 0;
  for (const [key, service, issuedAt] of message.acked) {
    const rawAt = raw.get(key);
    if (rawAt === undefined) rawMissing += 1;
    else rawLatency.push(rawAt - issuedAt);
    for (const viewer of viewers) {
      if (viewer.service !== service) continue;
      const at = viewer.received.get(key);
      if (at === undefined) {
        oursMissing += 1;
        if (!viewer.firstView) oursMissingWithoutFirstView += 1;
      }
      else ours.push(at - issuedAt);
    }
  }
  reply({
    type: 'collected',
    raw: rawLatency,
    ours,
    rawMissing,
    oursMissing,
    oursMissingWithoutFirstView,
    problems: tallyProblems(),
    loopDelayMaxMs: Number.isFinite(loopDelay.max) ? loopDelay.max / 1e6 : 0,
    largestMessage: Math.max(0, ...viewers.map((viewer) => viewer.session.traffic().largestMessage)),
  });
}

async function stop(): Promise<void> {
  for (const viewer of viewers) viewer.session.close();
  await watcher?.cancel().catch(() => undefined);
  etcd?.close();
  process.exit(0);
}

process.on('message', (rawMessage) => {
  const parsed = ParentToViewersSchema.safeParse(rawMessage);
  if (!parsed.success) return;
  const message = parsed.data;
  const fail = (error: unknown): void => reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  if (message.type === 'start') start(message).catch(fail);
  else if (message.type === 'connect') connect(message.connectAt).catch(fail);
  else if (message.type === 'collect') collect(message).catch(fail);
  else void stop();
});
// The parent went away without saying stop: do not outlive it.
process.on('disconnect', () => void stop());
