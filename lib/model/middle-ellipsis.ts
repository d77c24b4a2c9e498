/**
 * Long ids that share a prefix (go-zero lease ids, pod names, dubbo interfaces) look identical
 * when cut at the end. These helpers keep the end of each visible and elide the middle instead.
 */

export const MIN_TAIL = 6;
export const MAX_TAIL = 16;

/** The fewest trailing characters (code points, at least `min`) that tell every id of the set apart; `max` when none do. */
export function distinguishingTail(ids: Iterable<string>, min = MIN_TAIL, max = MAX_TAIL): number {
  return tailTellingApart(ids, min, max) ?? max;
}

/** The fewest trailing characters (code points, from `min` to `max`) that tell every id of the set apart, if any do. */
function tailTellingApart(ids: Iterable<string>, min: number, max: number): number | undefined {
  const unique = [...new Set(ids)].map((id) => [...id]);
  for (let length = min; length <= max; length += 1) {
    const tails = new Set(unique.map((chars) => chars.slice(-length).join('')));
    if (tails.size === unique.length) return length;
  }
  return undefined;
}

/** Letters or digits the tail may take beyond its length so it starts at a word: "…Provider", not "…rovider". */
export const MAX_WORD_EXTENSION = 6;
const WORD_CHARACTER = /^[\p{L}\p{N}]\p{M}*$/u;

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The text's last `count` characters as drawn (grapheme clusters), read from its end: a 256-character name is not segmented whole. */
function lastCharacters(text: string, count: number): string[] {
  if (count <= 0) return [];
  // Printable ASCII is one character a code unit, with a break between any two: no segmenting, which cost ~12 µs a
  // name (the services list splits every name it cuts at each search keystroke, 10,000 of them in a big fleet).
  if (PRINTABLE_ASCII.test(text.slice(-(count + 1)))) return text.slice(-count).split('');
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
function guessEm(char: string): number {
  if (WIDE_CHARACTER.test(char) || /^[mwMW@%]$/.test(char)) return 1;
  if (/^\p{Lu}$/u.test(char)) return 0.78;
  if (/^[.,:;'|!ijl]$/.test(char)) return 0.3;
  if (/^[frtI()[\]\-/\s]$/.test(char)) return 0.4;
  return 0.62;
}

/** ASCII's guesses, made once: up to five pattern tests a character made measuring 10,000 names' starts and ends slow. */
const ASCII_EM = Array.from({ length: 128 }, (_, code) => guessEm(String.fromCharCode(code)));

/** `guessEm`, looked up for ASCII. */
function characterEm(char: string): number {
  return (char.length === 1 ? ASCII_EM[char.charCodeAt(0)] : undefined) ?? guessEm(char);
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

/** The longest start of the text no wider than `room` ems (read no further). */
function startWithin(text: string, room: number, measure: (char: string) => number): string {
  let start = '';
  let width = 0;
  for (const char of text) {
    width += measure(char);
    if (width > room) break;
    start += char;
  }
  return start;
}

/** Whether a kept end fits the narrowest column whole (else it is cut in its turn, '…even…', and its name reads as its middle). */
function endFits(end: string, measure: (char: string) => number): boolean {
  return startWithin(end, NARROWEST_NAME_EM, measure) === end;
}

/**
 * What the Service column shows of a name in the narrowest window (320 px) when it keeps `tail` characters of its end,
 * as `measure` guesses widths (wider than drawn, so names that read apart here read apart in Chromium): the name whole
 * when it fits, else its start and '…', or its start, '…' and its kept end (MiddleTruncate), the end cut in its turn
 * when wider than the column.
 */
export function narrowestShown(name: string, tail: number, measure: (char: string) => number = characterEm): string {
  if (startWithin(name, NARROWEST_NAME_EM + ELLIPSIS_EM, measure) === name) return name;
  const split = tail > 0 ? splitForMiddleEllipsis(name, tail) : { head: name, tail: '' };
  if (split.tail === '') return `${startWithin(name, NARROWEST_NAME_EM, measure)}…`;
  if (!endFits(split.tail, measure)) return `…${startWithin(split.tail, NARROWEST_NAME_EM - ELLIPSIS_EM, measure)}…`;
  const tailEm = [...split.tail].reduce((sum, char) => sum + measure(char), 0);
  return `${startWithin(split.head, NARROWEST_NAME_EM - tailEm, measure)}…${split.tail}`;
}

/**
 * Rounds of merging groups whose names the narrowest column still shows alike: one is enough for a family sharing
 * another's short start; a fleet needing more keeps what the last round gave (its titles give each name whole).
 */
const MERGE_ROUNDS = 4;

/**
 * tailsForNames for a list whose names change far less often than the list does: the services list
 * is rebuilt at every status change, and at 10,000 services working the tails out takes ~30–80 ms.
 * The last answer is given again while the names are the same set, in any order (O(n) to check).
 */
export function tailsForNamesCached(measure: (char: string) => number = characterEm): (names: readonly string[]) => Map<string, number> {
  let last: { names: Set<string>; tails: Map<string, number> } | undefined;
  return (names) => {
    if (last && last.names.size === names.length && names.every((name) => last?.names.has(name))) return last.tails;
    const tails = tailsForNames(names, measure);
    last = { names: new Set(names), tails };
    return tails;
  };
}

/**
 * Each name's distinct end to keep when it is cut (for `splitForMiddleEllipsis`): 0 — cut at its end —
 * unless its start, as far as it tells it from another name of the list, is wider than the narrowest
 * column shows (NARROWEST_NAME_EM): such names (dubbo interfaces of one package) keep the tail that
 * tells them apart ('01' of orders-01, 'Orders' of com.acme.WMS.Orders), and no more, so the column shows
 * their start beside it ('orde…01'). A name kept its end whatever its start, and a narrow column showed
 * 'a…gateway' for 'api-gateway'. Names the narrowest column would still show alike (two families sharing a
 * short start: orderbook-01 and orders-01 both 'orde…01') share one tail that tells all of them apart ('k-01', 's-01'),
 * unless it widens a name's end past the column ('events-01' of order-events-01, drawn '…even…'): that family keeps its own.
 * Names whose last MAX_TAIL characters another ends with too are cut at their end: a wider column shows where they differ.
 */
export function tailsForNames(names: Iterable<string>, measure: (char: string) => number = characterEm): Map<string, number> {
  const sorted = [...new Set(names)].sort();
  // Sorted, a name shares its longest start with a neighbour: each neighbour pair measured once, only as far as the column shows.
  const alikeWithNext = sorted.map((name, index) => {
    const after = sorted[index + 1];
    return after !== undefined && sharedStartWidth(name, after, measure, NARROWEST_NAME_EM) >= NARROWEST_NAME_EM;
  });
  // Each run of names alike (neighbours sharing such a start) is a group with the tail that tells its own apart:
  // one tail for all made com.acme.WMS.Orders keep 'WMS.Orders' (the dubbo interfaces needed 10), and
  // at 320 px 'WMS.O…' with '…Offers' read the same. Any other name is a group of its own.
  const groups = new Map<number, string[]>();
  const groupOf = new Map<string, number>();
  for (const [index, name] of sorted.entries()) {
    const group = alikeWithNext[index - 1] === true ? (groupOf.get(sorted[index - 1] ?? '') ?? index) : index;
    groupOf.set(name, group);
    const members = groups.get(group);
    if (members) members.push(name);
    else groups.set(group, [name]);
  }
  const tails = new Map(sorted.map((name) => [name, 0]));
  const endOf = reversedEnds();
  for (const group of groups.values()) for (const [name, tail] of tailsTellingApart(group, endOf)) tails.set(name, tail);
  // Each group's tail was chosen within it, assuming the column shows a name's first NARROWEST_NAME_EM; a kept end
  // takes that room, so two groups can read alike: merge them and tell the merged group apart (those of them whose
  // merged ends fit the column, if they then read apart more: `joining`). Only names keeping an end are compared: the
  // others, cut at their end, differ from every name within what the column shows.
  const byShown = new Map<string, string[]>();
  const shownOf = new Map<string, string>();
  const show = (name: string): void => {
    const tail = tails.get(name) ?? 0;
    if (tail === 0) return;
    const shown = narrowestShown(name, tail, measure);
    shownOf.set(name, shown);
    const alike = byShown.get(shown);
    if (alike) alike.push(name);
    else byShown.set(shown, [name]);
  };
  const unshow = (names: string[]): void => {
    const leaving = new Set(names);
    for (const shown of new Set(names.map((name) => shownOf.get(name)))) {
      if (shown === undefined) continue;
      const staying = (byShown.get(shown) ?? []).filter((name) => !leaving.has(name));
      if (staying.length > 0) byShown.set(shown, staying);
      else byShown.delete(shown);
    }
    for (const name of names) shownOf.delete(name);
  };
  for (const name of sorted) show(name);
  const distinctShown = (names: string[], tailOf: (name: string) => number): number =>
    new Set(names.map((name) => narrowestShown(name, tailOf(name), measure))).size;
  // The groups of `candidates` to merge: none whose names' ends, told apart from the others', the narrowest column
  // cannot show whole (a merge of five order- families widened order-events-01's end to 'events-01', drawn '…even…',
  // and all 12 of them read so), and none at all unless merged they read apart more than they do now. The group with
  // the widest such end leaves first, one at a time: the others may need less to tell them apart without it.
  const joining = (candidates: number[]): { groups: number[]; tails: Map<string, number> } | undefined => {
    let chosen = candidates;
    while (chosen.length > 1) {
      const union = chosen.flatMap((group) => groups.get(group) ?? []);
      const unionTails = tailsTellingApart(union, endOf);
      let widest: { group: number; em: number } | undefined;
      for (const group of chosen) {
        for (const name of groups.get(group) ?? []) {
          const end = splitForMiddleEllipsis(name, unionTails.get(name) ?? 0).tail;
          if (endFits(end, measure)) continue;
          const em = [...end].reduce((sum, char) => sum + measure(char), 0);
          if (!widest || em > widest.em) widest = { group, em };
        }
      }
      if (widest) {
        const leaving = widest.group;
        chosen = chosen.filter((group) => group !== leaving);
        continue;
      }
      const apartNow = distinctShown(union, (name) => tails.get(name) ?? 0);
      return distinctShown(union, (name) => unionTails.get(name) ?? 0) > apartNow ? { groups: chosen, tails: unionTails } : undefined;
    }
    return undefined;
  };
  for (let round = 0; round < MERGE_ROUNDS; round += 1) {
    const merged = new Set<number>();
    // Sets of groups found not worth merging this round: a family of 500 shows alike to another 500 times.
    const refused = new Set<string>();
    for (const alike of byShown.values()) {
      const candidates = [...new Set(alike.flatMap((name) => groupOf.get(name) ?? []))];
      if (candidates.length < 2) continue;
      const key = [...candidates].sort((a, b) => a - b).join(' ');
      if (refused.has(key)) continue;
      const merge = joining(candidates);
      const [into, ...from] = merge?.groups ?? [];
      const target = into === undefined ? undefined : groups.get(into);
      if (!merge || into === undefined || !target) {
        refused.add(key);
        continue;
      }
      for (const group of from) {
        const members = groups.get(group) ?? [];
        for (const member of members) groupOf.set(member, into);
        target.push(...members);
        groups.delete(group);
        merged.delete(group);
      }
      for (const [name, tail] of merge.tails) tails.set(name, tail);
      merged.add(into);
    }
    if (merged.size === 0) break;
    const regrouped = [...merged].flatMap((group) => groups.get(group) ?? []);
    unshow(regrouped);
    for (const name of regrouped) show(name);
  }
  return tails;
}

/**
 * The end each name of a run of names alike keeps: no more than tells them apart (from 1 character; the split widens it
 * to its word), so their start shows too (with MIN_TAIL, the scale demo's orders-01 kept 'ers-01' and the 320 px column
 * drew '… ers-01', its family gone). Names whose last MAX_TAIL characters another ends with too keep none, cut at their end
 * (a wider column shows where they differ), and only they: two InvoiceService interfaces of different packages made
 * com.acme.wms.Orders, Offers and Returns beside them read 'com.a…' alike.
 */
function tailsTellingApart(group: readonly string[], endOf: (name: string) => ReversedEnd): Map<string, number> {
  const tails = new Map(group.map((name) => [name, 0]));
  if (group.length < 2) return tails;
  // Sorted by their ends read backwards, the end a name shares longest with another it shares with a neighbour: one sort,
  // not a set of every name's end for each length tried (merging families of 2,000 names tries several unions).
  const sorted = group.map((name) => ({ name, end: endOf(name) })).sort((a, b) => (a.end.key < b.end.key ? -1 : a.end.key > b.end.key ? 1 : 0));
  const endsAlike = (index: number): boolean => {
    const key = sorted[index]?.end.key;
    return key === sorted[index - 1]?.end.key || key === sorted[index + 1]?.end.key;
  };
  const told = sorted.filter((_, index) => !endsAlike(index));
  // Two names' ends of `length` characters differ when they share fewer than `length` from their end (or one is the other's end).
  let tail = 1;
  for (const [index, name] of told.entries()) {
    const previous = told[index - 1];
    if (previous) tail = Math.max(tail, sharedLength(previous.end.characters, name.end.characters) + 1);
  }
  for (const { name } of told) tails.set(name, tail);
  return tails;
}

/** A name's last MAX_TAIL characters (code points), last first, and as one text to sort by. */
interface ReversedEnd {
  characters: string[];
  key: string;
}

/** Each name's ReversedEnd, remembered: a group's names are looked at again in every union it is tried in. */
function reversedEnds(): (name: string) => ReversedEnd {
  const ends = new Map<string, ReversedEnd>();
  return (name) => {
    const known = ends.get(name);
    if (known) return known;
    // Read from no more than twice as many code units as MAX_TAIL (not a 256-character name whole).
    const characters = [...name.slice(-(2 * MAX_TAIL + 1))].slice(-MAX_TAIL).reverse();
    const end = { characters, key: characters.join('') };
    ends.set(name, end);
    return end;
  };
}

/** How many characters two lists start with alike. */
function sharedLength(a: readonly string[], b: readonly string[]): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return length;
}
