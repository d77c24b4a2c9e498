import { formatBytes, formatMs } from './stats';
import { pct, row } from './report';
import type { ReplicaMeasured, ReplicaRun, ReplicasResult } from './replicas';

const share = (replica: ReplicaMeasured): number => replica.cpuMs / replica.wallMs;
const perSecond = (count: number, replica: ReplicaMeasured): string => (count / (replica.wallMs / 1_000)).toFixed(0);
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/** The busiest replica's CPU in the 4-replica run against the lone replica's, and how evenly the probes were split. */
export function summarizeReplicaRuns(runs: readonly ReplicaRun[]): { lone: number; perReplica: number[]; probeShares: number[] } | undefined {
  const lone = runs.find((run) => run.replicas.length === 1)?.replicas[0];
  const many = runs.find((run) => run.replicas.length > 1);
  if (!lone || !many) return undefined;
  const probes = sum(many.replicas.map((replica) => replica.probes));
  return {
    lone: share(lone),
    perReplica: many.replicas.map(share),
    probeShares: many.replicas.map((replica) => (probes > 0 ? replica.probes / probes : Number.NaN)),
  };
}

/** §8 without its heading. */
export function renderReplicasSection(result: ReplicasResult): string {
  const instances = result.instances.toLocaleString('en-US');
  const lines = [
    `${instances} instances (\`health.http: /healthz\`), each on a loopback address of its own (the probing section's targets:`,
    'one `node:http` server behind as many listeners, in a separate process), registered in etcd in transactions of 100.',
    'Then one replica, then four started one after another, each the real server (`server.ts`, production build) with',
    '`DATABASE_URL` on one PostgreSQL (a fresh database per run) and the same etcd, every setting at the product\'s',
    'default (probe every 5 s, 2 s timeout, 256 in flight). Once every replica sees the others',
    `(\`switchyard_replicas\`) and a full round of probes is done, ${(result.warmupMs / 1_000).toFixed(0)} s of warm-up, then ${(result.measureMs / 1_000).toFixed(0)} s measured on all`,
    'replicas at once: CPU = utime + stime from `/proc/<pid>/stat` over the window, as a share of one core (the whole',
    'server: prober, registry watch, signals, Next.js idle); probes and signals = deltas of `switchyard_probes_completed`',
    'and `switchyard_replica_signals{outcome}` on each replica\'s `/metrics`. No viewers are connected during the window.',
    '',
    `Scaled from the issue's 20,000: on this 2-core machine 20,000 targets would need 20,000 listening plus 20,000`,
    'kept-alive client ports on 127.0.0.1 (the ephemeral range holds 28,232) and 40,000 descriptors in the targets\'',
    'process (limit 20,000), and 4,000 probes/s would take about a core on the targets\' side alone.',
    '',
    row(['run', 'replica', 'CPU (one core)', 'probes/s', 'share of probes', 'signals sent / received / dropped per s', 'sees', 'RSS', 'load (1 min) at end']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const run of result.runs) {
    const total = sum(run.replicas.map((replica) => replica.probes));
    run.replicas.forEach((replica, i) => {
      lines.push(
        row([
          `${run.replicas.length} replica${run.replicas.length === 1 ? '' : 's'}`,
          `#${i + 1}`,
          pct(share(replica)),
          perSecond(replica.probes, replica),
          total > 0 ? pct(replica.probes / total) : '—',
          `${perSecond(replica.signalsSent, replica)} / ${perSecond(replica.signalsReceived, replica)} / ${perSecond(replica.signalsDropped, replica)}`,
          String(replica.replicasSeen),
          formatBytes(replica.rssBytes),
          run.loadAtEnd.toFixed(2),
        ]),
      );
    });
  }
  const summary = summarizeReplicaRuns(result.runs);
  if (summary) {
    const mean = sum(summary.perReplica) / summary.perReplica.length;
    lines.push(
      '',
      `Per replica in four: ${summary.perReplica.map(pct).join(', ')} of a core (mean ${pct(mean)}, ${(mean / summary.lone).toFixed(2)}× the lone replica's`,
      `${pct(summary.lone)}); probes split ${summary.probeShares.map(pct).join(' / ')} (an even split is 25% each). The part that does not`,
      'shrink with the share is the server itself plus the signals: each replica receives the probe results of the',
      'instances the others own, so every status stays exact on every replica.',
    );
  }
  const viewers = result.runs.find((run) => run.viewers)?.viewers;
  const spread = result.runs.find((run) => run.viewers)?.replicas.length ?? 0;
  if (viewers) {
    lines.push(
      '',
      `**Viewers spread over the ${spread} replicas** (after the window, same replicas): ${viewers.viewers} Socket.IO clients (${viewers.viewers / Math.max(1, spread)} per replica, the`,
      'browser\'s transports, upgraded to WebSocket) and a raw etcd3 prefix watcher in one process of their own, which',
      `also issues ${viewers.puts.toLocaleString('en-US')} puts of new instances at a steady rate. Latency = put acknowledged → the raw watcher's event /`,
      'the `state:delta` carrying the instance, per put (raw) and per put and viewer (ours), on that process\'s clock.',
      '',
      row(['path', 'samples', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'max (ms)', 'missing']),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
      row(['raw etcd watcher', String(viewers.raw.count), formatMs(viewers.raw.p50), formatMs(viewers.raw.p95), formatMs(viewers.raw.p99), formatMs(viewers.raw.max), String(viewers.rawMissing)]),
      row([`viewers on ${spread} replicas`, String(viewers.ours.count), formatMs(viewers.ours.p50), formatMs(viewers.ours.p95), formatMs(viewers.ours.p99), formatMs(viewers.ours.max), String(viewers.oursMissing)]),
      '',
      `p99 gap ${formatMs(viewers.ours.p99 - viewers.raw.p99)} ms; ${viewers.putErrors} put errors; ${viewers.oursMissing === 0 && viewers.rawMissing === 0 ? 'nothing lost' : `${viewers.oursMissing} (put, viewer) pairs never delivered`}.`,
    );
  }
  return lines.join('\n');
}
