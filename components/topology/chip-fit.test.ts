import { describe, expect, it } from 'vitest';
import { CHIP_LINE_PX, chipMinPx, clusterMemberTexts, fitChips, fitClusterLine, type FitChip } from './chip-fit';

const errors: FitChip = { kind: 'errors', figure: '100%', words: 'errors', whole: true };
const lost = (figure: string): FitChip => ({ kind: 'lost', figure, words: 'lost' });
const unlisted = (figure: string): FitChip => ({ kind: 'unlisted', figure, words: 'out of discovery' });
const checking: FitChip = { kind: 'checking', figure: '12', words: 'checking' };
const drained: FitChip = { kind: 'drained', figure: '12', words: 'drained' };
const kinds = ({ shown, collapsed }: { shown: FitChip[]; collapsed: FitChip[] }) => ({ shown: shown.map((chip) => chip.kind), collapsed: collapsed.map((chip) => chip.kind) });

describe('fitChips', () => {
  it('shows every chip when their smallest widths fit the line', () => {
    expect(kinds(fitChips([errors, lost('1')], CHIP_LINE_PX, 1))).toEqual({ shown: ['errors', 'lost'], collapsed: [] });
  });

  it('collapses the chips after the last that fits, with room for the "+N" chip', () => {
    const mix = [errors, lost('12'), unlisted('12'), checking, drained];
    for (const scale of [1, 1.3]) {
      const { shown, collapsed } = fitChips(mix, CHIP_LINE_PX, scale);
      expect([...shown, ...collapsed]).toEqual(mix);
      expect(collapsed.length, `at ${scale}`).toBeGreaterThan(0);
      const used = shown.reduce((sum, chip) => sum + chipMinPx(chip, scale) + 4, 0) + chipMinPx({ kind: 'more', words: `+${collapsed.length}` }, scale);
      expect(used, `at ${scale}`).toBeLessThanOrEqual(CHIP_LINE_PX);
    }
  });

  it('keeps fewer chips at the largest scale than at 1, never fewer than the first', () => {
    const mix = [{ kind: 'errors', figure: '12.5%', words: 'errors', whole: true }, lost('120')];
    expect(kinds(fitChips(mix, CHIP_LINE_PX, 1))).toEqual({ shown: ['errors', 'lost'], collapsed: [] });
    expect(kinds(fitChips(mix))).toEqual({ shown: ['errors'], collapsed: ['lost'] });
    expect(kinds(fitChips([unlisted('all 500')], 40))).toEqual({ shown: ['unlisted'], collapsed: [] });
  });

  it('counts the errors chip whole and another chip as its figure and an ellipsis', () => {
    expect(chipMinPx(errors, 1)).toBeGreaterThan(chipMinPx({ ...errors, whole: false }, 1));
    expect(chipMinPx(unlisted('1'), 1)).toBe(chipMinPx(lost('1'), 1));
  });
});

describe('fitClusterLine', () => {
  const groupChips: FitChip[] = [
    { kind: 'flapping', figure: '3', words: 'flapping', whole: true },
    { kind: 'drained', figure: '2', words: 'drained', whole: true },
  ];

  it('never leaves a group\'s member count a bare figure beside its counts and chips ("12 3 flapping"): "12 services", "12 svc" or "12 ·"', () => {
    for (const members of [1, 12, 120, 1200])
      for (const counts of [[], ['1'], ['1', '2'], ['1', '2', '3'], ['12', '24', '3']])
        for (const scale of [1, 1.3]) {
          const fit = fitClusterLine(clusterMemberTexts(members), counts, groupChips, scale);
          expect(fit.members, `${members} with ${counts.join(',')} at ${scale}`).toMatch(new RegExp(`^${members} (services?|svc|·)$`));
          expect(fit.shown.length + fit.collapsed.length).toBe(groupChips.length);
        }
  });

  it('says "services" where that leaves as many chips as a shorter count, and gives way to "svc" before a chip folds into "+N"', () => {
    // All passing, at 1×: "12 services" leaves the flapping chip no room; "12 svc" does.
    expect(fitClusterLine(clusterMemberTexts(12), [], groupChips, 1)).toMatchObject({ members: '12 svc', shown: [groupChips[0]], collapsed: [groupChips[1]] });
    // Nothing but "+2" fits anyway: the whole words.
    expect(fitClusterLine(clusterMemberTexts(12), ['1'], groupChips, 1)).toMatchObject({ members: '12 services', shown: [], collapsed: groupChips });
    expect(fitClusterLine(clusterMemberTexts(1), [], [], 1).members).toBe('1 service');
  });
});
