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
const WORD_CHARACTER = /^[\p{L}\p{N}]$/u;

/**
 * The text as a head that may be cut (with an ellipsis) and a tail that always shows. Splits on
 * code points, so an emoji is never halved. A tail that would begin inside a word (letters and
 * digits) begins at that word instead, when the word starts at most MAX_WORD_EXTENSION characters
 * earlier and the tail stays within MAX_TAIL. A text no longer than the tail is all tail.
 */
export function splitForMiddleEllipsis(text: string, tail: number): { head: string; tail: string } {
  const chars = [...text];
  let cut = Math.max(0, chars.length - Math.max(0, Math.floor(tail)));
  const inWord = (index: number): boolean => WORD_CHARACTER.test(chars[index] ?? '');
  if (cut > 0 && inWord(cut) && inWord(cut - 1)) {
    let start = cut - 1;
    while (start > 0 && inWord(start - 1) && cut - start < MAX_WORD_EXTENSION) start -= 1;
    if (start > 0 && !inWord(start - 1) && chars.length - start <= MAX_TAIL) cut = start;
  }
  return { head: chars.slice(0, cut).join(''), tail: chars.slice(cut).join('') };
}
