import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, initialHealth, nextHealth, type HealthState, type ProbeResult } from './health-state';

const ok = (latencyMs = 5): ProbeResult => ({ at: `t${latencyMs}`, ok: true, latencyMs });
const fail = (error = 'HTTP 503'): ProbeResult => ({ at: 'tf', ok: false, latencyMs: 3, error });
const run = (results: ProbeResult[], start: HealthState = initialHealth('t0')): HealthState =>
  results.reduce((state, result) => nextHealth(state, result, DEFAULT_THRESHOLDS), start);

describe('nextHealth', () => {
  it('starts unknown and passes after two successes', () => {
    expect(run([ok()])).toMatchObject({ status: 'unknown', cause: 'probe OK; 1 of 2 before passing' });
    expect(run([ok(), ok()])).toMatchObject({ status: 'passing', cause: 'probe OK' });
  });

  it('goes critical only after three failures in a row, with the failure as cause', () => {
    const passing = run([ok(), ok()]);
    expect(run([fail(), fail()], passing).status).toBe('passing');
    expect(run([fail(), fail(), fail('timeout after 2 s')], passing)).toMatchObject({ status: 'critical', cause: 'timeout after 2 s', since: 'tf' });
    expect(run([fail(), fail(), ok(), fail()], passing).status).toBe('passing');
  });

  it('says the last probe failed while the status waits for more failures, and says it passed again after one success', () => {
    const passing = run([ok(), ok()]);
    expect(run([fail('connection refused')], passing)).toMatchObject({ status: 'passing', cause: 'connection refused; 1 of 3 failed probes before critical' });
    expect(run([fail(), fail('connection refused')], passing)).toMatchObject({ status: 'passing', cause: 'connection refused; 2 of 3 failed probes before critical' });
    expect(run([fail(), ok()], passing)).toMatchObject({ status: 'passing', cause: 'probe OK' });
    // Not probed to a verdict yet: still unknown, but not "not probed yet".
    expect(run([fail('connection refused')])).toMatchObject({ status: 'unknown', cause: 'connection refused; 1 of 3 failed probes before critical' });
  });

  it('recovers after two successes, saying meanwhile that the last probe passed', () => {
    const critical = run([fail(), fail(), fail()]);
    // "HTTP 503" beside a probe that just answered in 1.5 ms contradicted the row it sat in.
    expect(run([ok()], critical)).toMatchObject({ status: 'critical', cause: 'probe OK; 1 of 2 before passing' });
    expect(run([ok(), fail('connection refused')], critical)).toMatchObject({ status: 'critical', cause: 'connection refused' });
    expect(run([ok(), ok()], critical).status).toBe('passing');
  });

  it('marks a slow but successful instance as warning, saying how slow', () => {
    const state = run([ok(1_500), ok(1_500)]);
    expect(state.status).toBe('warning');
    expect(state.cause).toContain('1.5 s');
  });

  it('never shows a slow probe as fast as its threshold: milliseconds where seconds would round to it', () => {
    expect(run([ok(1_040), ok(1_040)]).cause).toBe('slow: answered in 1040 ms (threshold 1.0 s)');
    expect(run([ok(1_000.3), ok(1_000.3)]).cause).toBe('slow: answered in 1000.3 ms (threshold 1.0 s)');
    expect(run([ok(1_500), ok(1_500)]).cause).toBe('slow: answered in 1.5 s (threshold 1.0 s)');
  });

  it('leaves a target the probe policy refuses unknown, however often it is refused, and starts counting afresh once it is probed', () => {
    const refused: ProbeResult = { at: 'tr', ok: false, latencyMs: 0, error: 'address denied by probe policy (not in SWITCHYARD_PROBE_ALLOW_CIDRS)', notProbed: true };
    const expected = { status: 'unknown', cause: 'not probed: address denied by probe policy (not in SWITCHYARD_PROBE_ALLOW_CIDRS)', okStreak: 0, failStreak: 0 };
    expect(run([refused, refused, refused, refused])).toMatchObject({ ...expected, since: 't0' });
    expect(run([refused]).lastProbe).toBeUndefined();
    // Passing or critical before (the policy changed, or etcd's members did): nothing is known now.
    expect(run([ok(), ok(), refused])).toMatchObject({ ...expected, since: 'tr' });
    expect(run([fail(), fail(), fail(), refused])).toMatchObject({ ...expected, since: 'tr' });
    expect(run([refused, refused, fail(), fail()])).toMatchObject({ status: 'unknown', failStreak: 2 });
    expect(run([refused, refused, fail(), fail(), fail()]).status).toBe('critical');
  });

  it('keeps `since` while the status holds and records every probe', () => {
    const passing = run([ok(), ok()]);
    const later = nextHealth(passing, { at: 'later', ok: true, latencyMs: 7 }, DEFAULT_THRESHOLDS);
    expect(later.since).toBe(passing.since);
    expect(later.lastProbe).toEqual({ at: 'later', ok: true, latencyMs: 7 });
  });
});
