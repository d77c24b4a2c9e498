/**
 * Long ids that share a prefix (go-zero lease ids, pod names, dubbo interfaces) look identical
 * when cut at the end. These helpers keep the end of each visible and elide the middle instead.
 */

export const MIN_TAIL = 6;
export const MAX_TAIL = 16;

/** The fewest trailing characters (code points, at least `min`) that tell every id of the set apart; `max` when none do. */
export function distinguishingTail(ids: Iterable<string>, min = MIN_TAIL, max = MAX_TAIL): number {
  const unique = [...new Set(ids)].map((id) => [...id]);
  for (let length = min; length < max; length += 1) {
    const tails = new Set(unique.map((chars) => chars.slice(-length).join('')));
    if (tails.size === unique.length) return length;
  }
  return max;
}

/** Letters or digits the tail may take beyond its length so it starts at a word: "…Provider", not "…rovider". */
export const MAX_WORD_EXTENSION = 6;
const WORD_CHARACTER = /^[\p{L}\p{N}]\p{M}*$/u;

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The text's last `count` characters as drawn (grapheme clusters), read from its end: a 256-character name is not segmented whole. */
function lastCharacters(text: string, count: number): string[] {
  const segments = GRAPHEMES.segment(text);
  const characters: string[] = [];
  for (let index = text.length - 1; index >= 0 && characters.length < count; ) {
    const character = segments.containing(index);
    if (!character) break;
    characters.push(character.segment);
    index = character.index - 1;
  }
  return characters.reverse();
}

/**
 * The text as a head that may be cut (with an ellipsis) and a tail that always shows. Splits on
 * characters as drawn (grapheme clusters), so an emoji is never halved: on code points a family
 * emoji (joined by zero-width joiners), a flag or an accent was split across the '…'. A tail that
 * would begin inside a word (letters and digits) begins at that word instead, when the word starts at
 * most MAX_WORD_EXTENSION characters earlier and the tail stays within MAX_TAIL. A text no longer than
 * the tail is all tail.
 */
export function splitForMiddleEllipsis(text: string, tail: number): { head: string; tail: string } {
  // The tail, the word it may begin at and the character before that word: all the split looks at.
  const chars = lastCharacters(text, Math.max(0, Math.floor(tail)) + MAX_WORD_EXTENSION + 1);
  const unread = text.slice(0, text.length - chars.join('').length);
  let cut = Math.max(0, chars.length - Math.max(0, Math.floor(tail)));
  const inWord = (index: number): boolean => WORD_CHARACTER.test(chars[index] ?? '');
  if (cut > 0 && inWord(cut) && inWord(cut - 1)) {
    let start = cut - 1;
    while (start > 0 && inWord(start - 1) && cut - start < MAX_WORD_EXTENSION) start -= 1;
    if (start > 0 && !inWord(start - 1) && chars.length - start <= MAX_TAIL) cut = start;
  }
  return { head: unread + chars.slice(0, cut).join(''), tail: chars.slice(cut).join('') };
}

/**
 * The width of a name's start the narrowest Service column shows before its '…', in ems of its 13 px
 * font (as `characterEm` guesses them), at the narrowest window supported (320 px): what the phone
 * layout's Status (132 px, status.css) and Instances (84 px, table.css) columns, the page's margins (22 px)
 * and the cell's paddings (20 px) leave, 62 px, less the '…' (1 em, rounded up): 3.77 em. Taken at 390 px
 * (132 px of text, 9.5 em) it let 'com.example.mailer.Provider' and '…media-40.Provider' (9.18 em to
 * their first difference) both read 'com.example.m…' at 375 px, and three names 'com.example.…' at 360 px.
 */
const NARROWEST_WINDOW_PX = 320;
const PHONE_OTHER_COLUMNS_PX = 132 + 84;
const PHONE_MARGINS_AND_PADDINGS_PX = 22 + 20;
const NAME_FONT_PX = 13;
export const ELLIPSIS_EM = 1;
export const NARROWEST_NAME_EM = (NARROWEST_WINDOW_PX - PHONE_OTHER_COLUMNS_PX - PHONE_MARGINS_AND_PADDINGS_PX) / NAME_FONT_PX - ELLIPSIS_EM;

const WIDE_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Extended_Pictographic}\u3000-\u303f\uff00-\uffef]/u;

/** A character's width in ems, rounded up from the app's widest sans font (DejaVu Sans), so a guess errs toward alike. */
function characterEm(char: string): number {
  if (WIDE_CHARACTER.test(char) || /^[mwMW@%]$/.test(char)) return 1;
  if (/^\p{Lu}$/u.test(char)) return 0.78;
  if (/^[.,:;'|!ijl]$/.test(char)) return 0.3;
  if (/^[frtI()[\]\-/\s]$/.test(char)) return 0.4;
  return 0.62;
}

/** A text's width in ems, as `characterEm` guesses it (a little over what is drawn). */
export function textEm(text: string): number {
  return [...text].reduce((sum, char) => sum + characterEm(char), 0);
}

/**
 * The narrowest a text cut at its end may be drawn, in ems: its first character and a whole '…'.
 * Chromium never replaces a line's first character with the '…' (it clips it, CSS Overflow 3), so a
 * box narrower than both drew a sliver of the '…'. (A middle ellipsis' head starts with an empty
 * inline-block, controls.css, so it gives way down to the '…' alone.)
 */
export function cutMinEm(text: string): number {
  const first = [...text][0];
  return first === undefined ? 0 : characterEm(first) + ELLIPSIS_EM;
}

/**
 * The width (ems) of the start two names share and the first character that tells them apart: what must show
 * for them to read apart cut at their end. Measured no further than `upTo` (a caller asking only whether it is
 * reached: 10,000 names sharing a 250-character start were measured whole).
 */
export function sharedStartWidth(a: string, b: string, measure: (char: string) => number = characterEm, upTo = Infinity): number {
  const second = b[Symbol.iterator]();
  let width = 0;
  for (const char of a) {
    width += measure(char);
    if (width >= upTo || char !== second.next().value) break;
  }
  return width;
}

/**
 * Each name's distinct end to keep when it is cut (for `splitForMiddleEllipsis`): 0 — cut at its end —
 * unless its start, as far as it tells it from another name of the list, is wider than the narrowest
 * column shows (NARROWEST_NAME_EM): such names (dubbo interfaces of one package) keep the tail that
 * tells them apart ('01' of orders-01, 'Orders' of com.acme.WMS.Orders), and no more, so the column shows
 * their start beside it ('orde…01'). A name kept its end whatever its start, and a narrow column showed
 * 'a…gateway' for 'api-gateway'.
 */
export function tailsForNames(names: Iterable<string>, measure: (char: string) => number = characterEm): Map<string, number> {
  const sorted = [...new Set(names)].sort();
  // Sorted, a name shares its longest start with a neighbour: each neighbour pair measured once, only as far as the column shows.
  const alikeWithNext = sorted.map((name, index) => {
    const after = sorted[index + 1];
    return after !== undefined && sharedStartWidth(name, after, measure, NARROWEST_NAME_EM) >= NARROWEST_NAME_EM;
  });
  // Each run of names alike (neighbours sharing such a start) gets the tail that tells its own apart:
  // one tail for all made com.acme.WMS.Orders keep 'WMS.Orders' (the dubbo interfaces needed 10), and
  // at 320 px 'WMS.O…' with '…Offers' read the same.
  const tails = new Map(sorted.map((name) => [name, 0]));
  const runs: string[][] = [];
  for (const [index, name] of sorted.entries()) {
    const alikeWithBefore = alikeWithNext[index - 1] === true;
    if (alikeWithBefore) runs.at(-1)?.push(name);
    else if (alikeWithNext[index]) runs.push([name]);
  }
  // No more than tells a run apart (from 1 character; the split widens it to its word), so its start shows too: with
  // MIN_TAIL, the scale demo's orders-01 kept 'ers-01' and the 320 px column drew '… ers-01', its family gone.
  for (const run of runs) {
    const tail = distinguishingTail(run, 1);
    for (const name of run) tails.set(name, tail);
  }
  return tails;
}
