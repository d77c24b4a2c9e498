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

/**
 * Code points a name must share at its start with another of its list before cutting it at its end
 * could make the two read the same: about what the narrowest column shows of a name (the services
 * list's ~130 px on a phone). The scale demo's 'com.example.media-40.Provider' shares 12 with
 * 'com.example.users-12.Provider': cut at its end it still reads apart ('com.example.media…'),
 * where its middle elided read 'com.e… 40.Provider'.
 */
export const LONG_SHARED_START = 16;

/**
 * Each name's distinct end to keep when it is cut (for `splitForMiddleEllipsis`): 0 — cut at its end —
 * unless it shares at least LONG_SHARED_START code points at its start with another name of the list
 * (dubbo interfaces of one package), which then keep the list's distinguishing tail. A name kept its end
 * whatever its start, and a narrow column showed 'a…gateway' for 'api-gateway'.
 */
export function tailsForNames(names: Iterable<string>): Map<string, number> {
  const sorted = [...new Set(names)].sort();
  const chars = sorted.map((name) => [...name]);
  const sharedStart = (a: string[] | undefined, b: string[] | undefined): number => {
    if (!a || !b) return 0;
    let length = 0;
    while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
    return length;
  };
  // Sorted, a name shares its longest start with a neighbour.
  const alike = sorted.filter((_, index) => Math.max(sharedStart(chars[index - 1], chars[index]), sharedStart(chars[index], chars[index + 1])) >= LONG_SHARED_START);
  const tail = alike.length > 0 ? distinguishingTail(alike) : 0;
  const alikeNames = new Set(alike);
  return new Map(sorted.map((name) => [name, alikeNames.has(name) ? tail : 0]));
}
