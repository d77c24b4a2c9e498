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

/**
 * The text as a head that may be cut (with an ellipsis) and a tail that always shows. Splits on
 * code points, so an emoji is never halved. A text no longer than the tail is all tail.
 */
export function splitForMiddleEllipsis(text: string, tail: number): { head: string; tail: string } {
  const chars = [...text];
  const cut = Math.max(0, chars.length - Math.max(0, Math.floor(tail)));
  return { head: chars.slice(0, cut).join(''), tail: chars.slice(cut).join('') };
}
