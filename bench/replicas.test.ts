import { describe, expect, it } from 'vitest';
import { parseProcStat, type ReplicaMeasured } from './replicas';
import type { ViewersMeasured } from './replica-viewers-messages';
import { summarizeReplicaRuns } from './replicas-report';

const latency = { count: 1, min: 1, mean: 1, p50: 1, p95: 1, p99: 1, max: 1 };
const viewers: ViewersMeasured = { type: 'viewers-measured', viewers: 1, puts: 1, putErrors: 0, raw: latency, ours: latency, rawMissing: 0, oursMissing: 0 };

const replica = (cpuMs: number, signalsSent: number): ReplicaMeasured => ({
  pid: 1,
  cpuMs,
  wallMs: 10_000,
  probes: 10_000,
  signalsSent,
  signalsReceived: 0,
  signalsDropped: 0,
  replicasSeen: 4,
  rssBytes: 0,
});

describe('replicas benchmark', () => {
  it('reads utime + stime (clock ticks) and resident pages from /proc, whatever the command name holds', () => {
    const stat = '4242 (node (tsx) a b) S 1 4242 4242 0 -1 4194304 101 0 0 0 250 50 0 0 20 0 11 0 1586116 3133440 413 18446744073709551615';
    expect(parseProcStat(stat, '765 200 404 5 0 123 0\n')).toEqual({ cpuMs: 3_000, rssBytes: 200 * 4_096 });
  });

  it('compares each of several replicas with the lone one and gives each one\'s share of the probes made (the results it sent), not of the runs it scheduled', () => {
    const summary = summarizeReplicaRuns([
      { loadAtEnd: 1, viewers, replicas: [replica(4_000, 10_000)] },
      { loadAtEnd: 1, viewers, replicas: [replica(1_000, 3_000), replica(2_000, 1_000)] },
    ]);
    expect(summary).toEqual({ lone: 0.4, perReplica: [0.1, 0.2], probeShares: [0.75, 0.25] });
    expect(summarizeReplicaRuns([{ loadAtEnd: 1, viewers, replicas: [replica(1, 1)] }])).toBeUndefined();
  });
});
