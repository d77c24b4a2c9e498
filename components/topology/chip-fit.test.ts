import { describe, expect, it } from 'vitest';
import { CHIP_LINE_PX, chipMinPx, clusterMemberTexts, fitChips, fitClusterLine, isMemberFigure, type FitChip } from './chip-fit';

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
  const flapping = (figure: string): FitChip => ({ kind: 'flapping', figure, words: 'flapping', whole: true });
  const drained = (figure: string): FitChip => ({ kind: 'drained', figure, words: 'drained', whole: true });
  const groupChips: FitChip[] = [flapping('3'), drained('2')];

  it('never leaves a group\'s member count a bare figure beside its counts and chips ("12 3 flapping"): "12 services", "12 svc" or the figure set apart', () => {
    for (const members of [1, 12, 120, 1200])
      for (const counts of [[], ['1'], ['1', '2'], ['1', '2', '3'], ['12', '24', '3']])
        for (const scale of [1, 1.3]) {
          const fit = fitClusterLine(clusterMemberTexts(members), counts, groupChips, scale);
          expect(fit.members, `${members} with ${counts.join(',')} at ${scale}`).toMatch(new RegExp(`^${members}( services?| svc)?$`));
          if (isMemberFigure(fit.members)) expect(clusterMemberTexts(members).at(-1)).toBe(fit.members);
          expect(fit.shown.length + fit.collapsed.length).toBe(groupChips.length);
        }
  });

  it('shows a green group\'s flapping chip rather than "3 services +2": its only sign of trouble comes before the words of its count', () => {
    expect(fitClusterLine(clusterMemberTexts(3), [], groupChips, 1.3)).toMatchObject({ shown: [groupChips[0]], collapsed: [groupChips[1]] });
    expect(fitClusterLine(clusterMemberTexts(3), ['1'], [flapping('12')], 1.3)).toMatchObject({ shown: [flapping('12')], collapsed: [] });
  });

  it('fits as many chips as beside the shortest count, and the longest count that leaves them all', () => {
    for (const members of [3, 8, 12, 40, 120, 1200, 10000])
      for (const counts of [[], ['1'], ['2'], ['12'], ['1', '2'], ['1', '2', '3']])
        for (const chips of [[flapping('3')], [flapping('12')], [flapping('3'), drained('2')], [drained('2')]])
          for (const scale of [1, 1.15, 1.3]) {
            const texts = clusterMemberTexts(members);
            const what = `${members} with ${counts.join(',')} and ${chips.map((chip) => `${chip.figure ?? ''} ${chip.words}`).join(', ')} at ${scale}`;
            const fit = fitClusterLine(texts, counts, chips, scale);
            const shortest = fitClusterLine(texts.slice(-1), counts, chips, scale);
            expect(fit.shown, what).toEqual(shortest.shown);
            // Where nothing fits beside any count, which reads depends on the "+N" fitting beside it.
            const longer = fit.shown.length > 0 ? texts.slice(0, texts.indexOf(fit.members)) : [];
            for (const text of longer) expect(fitClusterLine([text], counts, chips, scale).shown.length, `${what}: ${text}`).toBeLessThan(fit.shown.length);
          }
  });

  it('says "services" where that leaves as many chips as a shorter count', () => {
    expect(fitClusterLine(clusterMemberTexts(1), [], [], 1).members).toBe('1 service');
    expect(fitClusterLine(clusterMemberTexts(12), [], [drained('2')], 1).members).toBe('12 services');
  });
});
