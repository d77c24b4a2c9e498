import { describe, expect, it } from 'vitest';
import type { PhaseResult, PropagationRun } from './propagation';
import { recommendation } from './report';
import { summarize } from './stats';

const phase = (putsPerSecond: number, rawP99: number, oursP99: number, extra: Partial<PhaseResult> = {}): PhaseResult => ({
  putsPerSecond,
  seconds: 1,
  puts: 100,
  putErrors: 0,
  ack: summarize([1]),
  raw: summarize([rawP99]),
  ours: summarize([oursP99]),
  server: summarize([oursP99 - 1]),
  wire: summarize([1]),
  rawMissing: 0,
  oursMissing: 0,
  deltasPerSecond: putsPerSecond / 10,
  serverLoopDelayP99Ms: 10,
  serverLoopDelayMaxMs: 12,
  serverCpuShare: 0.1,
  generatorLoopDelayMaxMs: 12,
  ...extra,
});

const run = (coalesceMs: number, isDefault: boolean, ...phases: PhaseResult[]): PropagationRun => ({ coalesceMs, isDefault, phases });

describe('recommendation', () => {
  it('keeps a default that meets the target', () => {
    expect(recommendation([run(50, true, phase(10, 1, 15), phase(1000, 2, 20))])).toMatch(/default \(50 ms\) meets the target.*Keep it/);
  });

  it('says when a wider comparison window also meets the target', () => {
    const text = recommendation([run(10, true, phase(10, 1, 3), phase(1000, 1, 14)), run(20, false, phase(10, 1, 3), phase(1000, 1, 19))]);
    expect(text).toMatch(/20 ms also meets it/);
    expect(text).toMatch(/A wider window, \*\*20 ms\*\*, met it too/);
    const narrower = recommendation([run(10, true, phase(10, 1, 3), phase(1000, 1, 14)), run(20, false, phase(10, 1, 3), phase(1000, 1, 26))]);
    expect(narrower).toMatch(/20 ms misses it.*Keep it\./);
  });

  it('names the largest passing window when the default misses', () => {
    const text = recommendation([
      run(50, true, phase(10, 1, 52), phase(1000, 1, 55)),
      run(20, false, phase(10, 1, 22), phase(1000, 1, 25)),
      run(10, false, phase(10, 1, 12), phase(1000, 1, 14)),
    ]);
    expect(text).toMatch(/misses the target \(worst Δ p99 54\.0 ms\)/);
    expect(text).toMatch(/Largest window that met the target in this run: \*\*10 ms\*\*/);
  });

  it('counts a lost delivery as a miss and reports the closest window when none passes', () => {
    const text = recommendation([
      run(50, true, phase(10, 1, 52)),
      run(10, false, phase(10, 1, 12, { oursMissing: 1 }), phase(1000, 1, 30)),
    ]);
    expect(text).toMatch(/closest was \*\*10 ms\*\* \(0 of 2 rates met/);
  });
});
