import { describe, expect, it } from 'vitest';
import { criticalChange, FLAP_CHANGES_KEPT, FLAP_MIN_CHANGES, FLAP_WINDOW_MS, flappingOf, flappingUntilMs, tallyChange, withCriticalChange } from './flapping';

const T0 = Date.parse('2026-12-07T07:30:00.000Z');
const at = (seconds: number): number => T0 + seconds * 1_000;
/** The changes of the demo's `flapping` payments-1: critical after 3 failed probes, passing after 2, every 15 s half-period. */
const flaps = (count: number): number[] => Array.from({ length: count }, (_, i) => at(12 + i * 15)).reduce<number[]>((kept, change) => withCriticalChange(kept, change), []);

describe('flapping', () => {
  it('is no flapping for one failure and its recovery', () => {
    expect(flappingOf(flaps(2), T0 + 60_000)).toBeNull();
  });

  it(`is flapping from the failure after a recovery: ${FLAP_MIN_CHANGES} changes into or out of critical within the window`, () => {
    const changes = flaps(FLAP_MIN_CHANGES);
    expect(flappingOf(changes, T0 + 45_000)).toEqual({ changes: 3, since: at(12), last: at(42) });
  });

  it('still counts a flap that stopped until its changes leave the window', () => {
    expect(flappingOf(flaps(8), T0 + 300_000)).toEqual({ changes: 8, since: at(12), last: at(117) });
  });

  it('ends once the changes are older than the window, counting only those within it on the way', () => {
    const changes = flaps(4);
    // The first change (12 s) leaves the window first: 3 left still flap; then 2 do not.
    expect(flappingOf(changes, T0 + 12_000 + FLAP_WINDOW_MS + 1)?.changes).toBe(3);
    expect(flappingOf(changes, T0 + 27_000 + FLAP_WINDOW_MS + 1)).toBeNull();
    expect(flappingOf(undefined, T0)).toBeNull();
  });

  it('keeps only the changes the window can still count, however long an instance flaps', () => {
    // A day of flapping every 15 s.
    let changes: number[] = [];
    for (let i = 0; i < 5_760; i++) changes = withCriticalChange(changes, at(i * 15));
    expect(changes.length).toBeLessThanOrEqual(FLAP_CHANGES_KEPT);
    expect(changes.at(-1)).toBe(at(5_759 * 15));
  });

  it('ignores a change time that is no number, and keeps one stamped before the last in order (a probe\u2019s time against a traffic verdict\u2019s)', () => {
    expect(withCriticalChange([at(10)], Number.NaN)).toEqual([at(10)]);
    expect(withCriticalChange([at(10)], at(5))).toEqual([at(5), at(10)]);
  });

  it(`keeps at most ${FLAP_CHANGES_KEPT} and then says it may be more`, () => {
    let changes: number[] = [];
    for (let i = 0; i < 200; i++) changes = withCriticalChange(changes, at(i));
    expect(changes).toHaveLength(FLAP_CHANGES_KEPT);
    expect(flappingOf(changes, T0 + 200_000)).toEqual({ changes: FLAP_CHANGES_KEPT, since: at(200 - FLAP_CHANGES_KEPT), last: at(199), atLeast: true });
  });

  it('counts a change into critical and a recovery (passing or unknown), not a step between critical and warning', () => {
    expect(criticalChange(false, 'critical')).toEqual({ counts: true, down: true });
    expect(criticalChange(true, 'warning')).toEqual({ counts: false, down: true });
    expect(criticalChange(true, 'critical')).toEqual({ counts: false, down: true });
    expect(criticalChange(true, 'passing')).toEqual({ counts: true, down: false });
    expect(criticalChange(true, 'unknown')).toEqual({ counts: true, down: false });
    expect(criticalChange(false, 'warning')).toEqual({ counts: false, down: false });
  });

  it('tallies the changes within the window of each one counted, keeping only a window\u2019s worth', () => {
    const tally = (times: readonly number[]) => {
      const recent: number[] = [];
      return { counts: times.map((time) => tallyChange(recent, time)), recent };
    };
    // Three 5 min apart span 10 min: at most two share a window; four 1 min apart all do.
    expect(tally([at(0), at(300), at(600)]).counts).toEqual([1, 2, 2]);
    expect(tally([at(0), at(3_000), at(3_060), at(3_120), at(3_180)])).toEqual({ counts: [1, 1, 2, 3, 4], recent: [at(3_000), at(3_060), at(3_120), at(3_180)] });
  });
});

describe('flappingUntilMs', () => {
  it('is the last moment flappingOf still finds the flap, when its third newest change leaves the window', () => {
    const changes = flaps(5);
    const until = flappingUntilMs(changes);
    expect(until).toBe(at(12 + 2 * 15) + FLAP_WINDOW_MS);
    expect(flappingOf(changes, (until ?? 0) - 1)?.changes).toBe(3);
    expect(flappingOf(changes, until ?? 0)).toBeNull();
  });

  it('is undefined for fewer changes than a flap', () => {
    expect(flappingUntilMs(flaps(2))).toBeUndefined();
    expect(flappingUntilMs(undefined)).toBeUndefined();
  });

  it('reads change times in any order (another replica\u2019s row)', () => {
    expect(flappingUntilMs([at(72), at(12), at(42), at(57), at(27)])).toBe(flappingUntilMs(flaps(5)));
  });
});
