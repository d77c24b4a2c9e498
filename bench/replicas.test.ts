import { describe, expect, it } from 'vitest';
import { parseProcStat, type ReplicaMeasured } from './replicas';
import { summarizeReplicaRuns } from './replicas-report';

const replica = (cpuMs: number, probes: number): ReplicaMeasured => ({
  pid: 1,
  cpuMs,
  wallMs: 10_000,
  probes,
  signalsSent: 0,
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

  it('compares each of several replicas with the lone one and gives each one\'s share of the probes', () => {
    const summary = summarizeReplicaRuns([
      { loadAtEnd: 1, replicas: [replica(4_000, 10_000)] },
      { loadAtEnd: 1, replicas: [replica(1_000, 3_000), replica(2_000, 1_000)] },
    ]);
    expect(summary).toEqual({ lone: 0.4, perReplica: [0.1, 0.2], probeShares: [0.75, 0.25] });
    expect(summarizeReplicaRuns([{ loadAtEnd: 1, replicas: [replica(1, 1)] }])).toBeUndefined();
  });
});
