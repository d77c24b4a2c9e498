import { formatBytes, formatMs } from './stats';
import { pct, row } from './report';
import type { ViewersMeasured } from './replica-viewers-messages';
import type { ReplicaMeasured, ReplicaRun, ReplicasResult } from './replicas';

const share = (replica: ReplicaMeasured): number => replica.cpuMs / replica.wallMs;
const perSecond = (count: number, replica: ReplicaMeasured): string => (count / (replica.wallMs / 1_000)).toFixed(0);
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/** Each replica's CPU in the multi-replica run against the lone replica's, and how evenly the probing was split. */
export function summarizeReplicaRuns(runs: readonly ReplicaRun[]): { lone: number; perReplica: number[]; probeShares: number[] } | undefined {
  const lone = runs.find((run) => run.replicas.length === 1)?.replicas[0];
  const many = runs.find((run) => run.replicas.length > 1);
  if (!lone || !many) return undefined;
  // What a replica probed itself it sends to the others, one signal per result: its share of the results.
  const probed = sum(many.replicas.map((replica) => replica.signalsSent));
  return {
    lone: share(lone),
    perReplica: many.replicas.map(share),
    probeShares: many.replicas.map((replica) => (probed > 0 ? replica.signalsSent / probed : Number.NaN)),
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
    '`switchyard_probes_completed` counts every scheduled run, also of the keys a replica skips as not its own, so it',
    'does not show the split; the results a replica sends to the others (one signal per probe it made) do.',
    '',
    `Scaled from the issue's 20,000: on this 2-core machine 20,000 targets would need 20,000 listening plus 20,000`,
    'kept-alive client ports on 127.0.0.1 (the ephemeral range holds 28,232) and 40,000 descriptors in the targets\'',
    'process (limit 20,000), and 4,000 probes/s would take about a core on the targets\' side alone.',
    '',
    row(['run', 'replica', 'CPU (one core)', 'probe runs/s (`switchyard_probes_completed`)', 'share of probes made (signals sent)', 'signals sent / received / dropped per s', 'sees', 'RSS', 'load (1 min) at end']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const run of result.runs) {
    const total = sum(run.replicas.map((replica) => replica.signalsSent));
    run.replicas.forEach((replica, i) => {
      lines.push(
        row([
          `${run.replicas.length} replica${run.replicas.length === 1 ? '' : 's'}`,
          `#${i + 1}`,
          pct(share(replica)),
          perSecond(replica.probes, replica),
          total > 0 ? pct(replica.signalsSent / total) : '—',
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
      `${pct(summary.lone)}); probes made (signals sent) split ${summary.probeShares.map(pct).join(' / ')} (an even split is 25% each). The part that does not`,
      'shrink with the share is the server itself plus the signals: each replica receives the probe results of the',
      'instances the others own, so every status stays exact on every replica.',
    );
  }
  const first = result.runs[0]?.viewers;
  if (first) {
    lines.push(
      '',
      `**Viewers** (after each window, same replicas): ${first.viewers} Socket.IO clients spread evenly over the replicas (the`,
      'browser\'s transports, upgraded to WebSocket) and a raw etcd3 prefix watcher in one process of their own, which',
      `also issues ${first.puts.toLocaleString('en-US')} puts of new instances at a steady rate (100/s). Latency = put acknowledged → the raw watcher's event /`,
      'the `service:delta` carrying the instance, per put (raw) and per put and viewer (ours), on that process\'s clock.',
      '',
      row(['run', 'path', 'samples', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'max (ms)', 'missing', 'p99 gap (ms)']),
      row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    );
    for (const run of result.runs) {
      const { viewers } = run;
      const name = `${run.replicas.length} replica${run.replicas.length === 1 ? '' : 's'}`;
      const cells = (summary: ViewersMeasured['raw']): string[] => [String(summary.count), formatMs(summary.p50), formatMs(summary.p95), formatMs(summary.p99), formatMs(summary.max)];
      lines.push(
        row([name, 'raw etcd watcher', ...cells(viewers.raw), String(viewers.rawMissing), '']),
        row([name, `${viewers.viewers} viewers`, ...cells(viewers.ours), String(viewers.oursMissing), formatMs(viewers.ours.p99 - viewers.raw.p99)]),
      );
    }
    const lost = sum(result.runs.map((run) => run.viewers.oursMissing + run.viewers.rawMissing + run.viewers.putErrors));
    lines.push(
      '',
      lost === 0 ? 'Nothing lost: every acknowledged put reached the raw watcher and every viewer, with no put errors.' : `${lost} puts or (put, viewer) deliveries missing or failed.`,
      'On this shared machine the viewers\' tail moves with the load from run to run (the load column above): compare the',
      'rows of one run, where the same 16 viewers and the same puts meet one replica or four.',
    );
  }
  return lines.join('\n');
}
