import { describe, expect, it } from 'vitest';
import { autoRelayout, type AutoRelayoutInput } from './auto-relayout';

const at = (overrides: Partial<AutoRelayoutInput>): AutoRelayoutInput => ({
  backwardSinceLayout: 1,
  arranged: false,
  viewIsOurs: true,
  lastWholeLayoutAtMs: undefined,
  nowMs: 1_000_000,
  ...overrides,
});

describe('autoRelayout', () => {
  it('lays a map out at once for its first call drawn right to left on this page', () => {
    expect(autoRelayout(at({}))).toEqual({ kind: 'now' });
  });

  it('waits until a minute after the last whole layout shown, as error calls come and go in an outage', () => {
    const last = 1_000_000;
    expect(autoRelayout(at({ lastWholeLayoutAtMs: last, nowMs: last + 2_000 }))).toEqual({ kind: 'later', atMs: last + 60_000 });
    expect(autoRelayout(at({ lastWholeLayoutAtMs: last, nowMs: last + 59_999, backwardSinceLayout: 3 }))).toEqual({ kind: 'later', atMs: last + 60_000 });
    expect(autoRelayout(at({ lastWholeLayoutAtMs: last, nowMs: last + 60_000 }))).toEqual({ kind: 'now' });
  });

  it('does nothing when no call is drawn right to left any more (an error call that came and went)', () => {
    expect(autoRelayout(at({ backwardSinceLayout: 0 }))).toEqual({ kind: 'none' });
    expect(autoRelayout(at({ backwardSinceLayout: 0, lastWholeLayoutAtMs: 1_000_000, nowMs: 1_001_000 }))).toEqual({ kind: 'none' });
  });

  it('never lays out a map arranged by hand or a view the reader holds, due or not', () => {
    expect(autoRelayout(at({ arranged: true }))).toEqual({ kind: 'none' });
    expect(autoRelayout(at({ viewIsOurs: false }))).toEqual({ kind: 'none' });
    expect(autoRelayout(at({ viewIsOurs: false, lastWholeLayoutAtMs: 1_000_000, nowMs: 1_001_000 }))).toEqual({ kind: 'none' });
  });
});
