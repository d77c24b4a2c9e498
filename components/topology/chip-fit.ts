import { MAX_TEXT_SCALE } from './viewport';
/**
 * Which of a service node's chips its one meta line shows, decided from their words rather than
 * measured, so the node needs no layout pass and a test can say what any mix shows. The line is
 * `CHIP_LINE_PX` wide at every zoom while the chips' text grows with `--detail-scale` up to
 * `MAX_TEXT_SCALE` (viewport.ts), so the fit is judged at that largest scale: what fits there fits at
 * every zoom. Each chip counts at its smallest: the errors chip whole (never cut), a chip with a
 * figure as its figure and an ellipsis (its words give way, its figure never), one without as its
 * words. The chips that do not fit after the last that does collapse into a "+N" chip titled with
 * what they say — before, the line's `overflow: hidden` cut their figures ('12' read '1') or hid
 * them whole.
 */

/** The meta line of a service node (200 px box less its status column and padding). */
export const CHIP_LINE_PX = 155;
/** The meta line of a collapsed group (224 px box less its status column, "+" toggle and padding). */
export const CLUSTER_LINE_PX = 147;
/** The detail scale at the map's farthest zoom. */
export const CHIP_FIT_SCALE = MAX_TEXT_SCALE;
/** A chip's font at scale 1 (topology.css: 10.5px × --detail-scale). */
const CHIP_FONT_PX = 10.5;
/** Padding (4 + 4) and border (1 + 1) of a chip, which do not scale. */
const CHIP_FRAME_PX = 10;
/** Between chips (.tnode__meta gap). */
const CHIP_GAP_PX = 4;
/** Between a chip's figure and its words (column-gap 0.3em) plus the ellipsis the words keep (min-width 1.1em). */
const CUT_WORDS_EM = 0.3 + 1.1;

/**
 * Widths in em of the chip's bold system-ui face, each at or a little over what Chromium draws
 * (measured: digits 0.696, '%' 1.0, '.' 0.38, '+' 0.84, lower-case letters 0.53–0.6 on average).
 */
const charEm = (char: string): number => {
  if (/[0-9]/.test(char)) return 0.72;
  if (char === '%' || char === '…') return 1.02;
  if (char === '+') return 0.86;
  if (char === '.' || char === ' ' || char === ',') return 0.4;
  return 0.64;
};
const textEm = (text: string): number => [...text].reduce((sum, char) => sum + charEm(char), 0);
/** The meta line's font at scale 1 (topology.css: 11px × --detail-scale). */
const META_FONT_PX = 11;
/** Widths in em of the meta line's regular face ("12 services"), each at or a little over what Chromium draws. */
const plainEm = (text: string): number => [...text].reduce((sum, char) => sum + (char === ' ' || char === '·' ? 0.34 : /[0-9]/.test(char) ? 0.66 : 0.56), 0);

/**
 * What a collapsed group's member count may read, longest first: "12 services", "12 svc", and the figure
 * alone, set off from what follows by a rule drawn in the gap after it (topology.css .tnode__members--figure,
 * so it takes no room from the chips): beside the chips a bare "12 3 flapping" read as 12 and 3 of one
 * thing, or 123.
 */
export function clusterMemberTexts(members: number): string[] {
  return [`${members} ${members === 1 ? 'service' : 'services'}`, `${members} svc`, String(members)];
}

/** Whether a member count reads the figure alone, drawn set apart (.tnode__members--figure). */
export const isMemberFigure = (text: string): boolean => /^\d+$/.test(text);
export interface FitChip {
  kind: string;
  /** Never cut: a chip with one shrinks to it and an ellipsis. */
  figure?: string;
  words: string;
  /** Shown whole (the errors chip, a group's chips). */
  whole?: boolean;
}

/** The narrowest a chip is drawn at `scale`, in px. */
export function chipMinPx(chip: FitChip, scale = CHIP_FIT_SCALE): number {
  const em = CHIP_FONT_PX * scale;
  const content = chip.whole || chip.figure === undefined ? textEm(chip.figure !== undefined ? `${chip.figure} ${chip.words}` : chip.words) : textEm(chip.figure) + CUT_WORDS_EM;
  return content * em + CHIP_FRAME_PX;
}

/** "+3": the chip standing for those that do not fit. */
export const moreChipText = (count: number): string => `+${count}`;

/** The chips shown, in order, and those collapsed into the "+N" chip (none when all fit). */
export function fitChips<Chip extends FitChip>(chips: readonly Chip[], linePx = CHIP_LINE_PX, scale = CHIP_FIT_SCALE, keepFirst = true): { shown: Chip[]; collapsed: Chip[] } {
  const widthOf = (chip: FitChip) => chipMinPx(chip, scale);
  const total = (count: number) => chips.slice(0, count).reduce((sum, chip, index) => sum + widthOf(chip) + (index > 0 ? CHIP_GAP_PX : 0), 0);
  if (total(chips.length) <= linePx) return { shown: [...chips], collapsed: [] };
  // The most chips that fit with the "+N" after them; the first chip stays even if the two overflow (an
  // errors chip alone always fits), unless `keepFirst` is false (a group's line: all of them into "+N").
  const least = keepFirst ? 1 : 0;
  let shown = Math.max(least, chips.length - 1);
  while (shown > least && total(shown) + CHIP_GAP_PX + widthOf({ kind: 'more', words: moreChipText(chips.length - shown) }) > linePx) shown -= 1;
  return { shown: chips.slice(0, shown), collapsed: chips.slice(shown) };
}

/**
 * A collapsed group's meta line at `scale`: its member count, whole, then its counts by status, whole,
 * then the chips that fit whole (never cut: a group has no page to read them on) and "+N" for the rest.
 * The chips come first: as many fit as beside the shortest member count (the last of `members`); the
 * count then reads the longest form that leaves them all. A longer count folding the only chip a group
 * has (a green group's flapping) into "+N" hid its one sign of trouble.
 */
export function fitClusterLine<Chip extends FitChip>(members: readonly string[], counts: readonly string[], chips: readonly Chip[], scale: number): { members: string; shown: Chip[]; collapsed: Chip[] } {
  const countsPx = counts.reduce((sum, figure) => sum + CHIP_GAP_PX + 13 + textEm(figure) * META_FONT_PX * scale, 0);
  const fitWith = (text: string) => {
    const room = CLUSTER_LINE_PX - plainEm(text) * META_FONT_PX * scale - countsPx - CHIP_GAP_PX;
    const fit = fitChips(chips, room, scale, false);
    // fitChips checks "+N" beside the chips it shows; alone, it may not fit either.
    const fits = fit.shown.length > 0 || fit.collapsed.length === 0 || chipMinPx({ kind: 'more', words: moreChipText(fit.collapsed.length) }, scale) <= room;
    return { members: text, ...fit, fits };
  };
  const shortest = members.at(-1);
  if (shortest === undefined) throw new Error('fitClusterLine: no member count to fit');
  const chipsFirst = fitWith(shortest);
  const chosen = members.map(fitWith).find((fit) => fit.shown.length >= chipsFirst.shown.length && (fit.fits || !chipsFirst.fits)) ?? chipsFirst;
  return { members: chosen.members, shown: chosen.shown, collapsed: chosen.collapsed };
}
