import type { WeightedValue } from './histogram';
import { packBuckets, PACKED_STRIDE, type PackedValues } from './packed';

/**
 * What a set of weighted values is without its weights: one entry a distinct value, in increasing
 * order, each with its bucket (lower, upper; NaN: none). Reporters send the same bucket layouts
 * over and over, so the shapes a slot sees repeat: they are interned, and a slot adds a report's
 * weights by position (`Union.at`) instead of searching its values for each report's.
 */
export class Shape {
  /** Value, lower, upper per entry. */
  readonly columns: readonly number[];
  readonly length: number;
  /** Whether this is the one shape with its columns (`intern`): only then are its unions remembered. */
  readonly interned: boolean;

  constructor(columns: readonly number[], interned: boolean) {
    this.columns = columns;
    this.length = columns.length / SHAPE_STRIDE;
    this.interned = interned;
  }
}

/** `shape` holds every entry of the two merged; `ownAt` and `otherAt` say where each one's entries went. */
export interface Union {
  shape: Shape;
  ownAt: Int32Array;
  otherAt: Int32Array;
}

/** A report's values: its shape and one weight an entry. Never modified (one report lands in many slots). */
export interface ShapedValues {
  shape: Shape;
  weights: readonly number[];
}

const SHAPE_STRIDE = 3;
/**
 * Interned shapes and remembered unions at most: a fleet uses a handful of bucket layouts (and the
 * subsets of buckets its calls fill). Past this a cache starts over (what it held lives on only
 * in the slots using it), so a hostile mix of layouts costs time, never memory: a shape not
 * interned is merged all the same, only by its content again.
 */
const MAX_INTERNED = 1_024;
const MAX_UNIONS = 1_024;

const interned = new Map<number, Shape[]>();
let internedCount = 0;
/** Union of two shapes, by the slot's shape and then the report's. */
const unions = new Map<Shape, Map<Shape, Union>>();
let unionCount = 0;

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);
function hashOf(columns: readonly number[]): number {
  let hash = columns.length;
  for (const value of columns) {
    bits[0] = value;
    hash = Math.imul(hash ^ (words[0] as number), 0x9e3779b1) ^ Math.imul(words[1] as number, 0x85ebca6b);
  }
  return hash;
}

/**
 * Where `shape` holds the one entry of `single` (the same value and bucket), or -1: found by
 * binary search on the values, so a slot adds a lone value it already holds by position without a
 * union (`unionOf`), which builds a new shape for every pair it has not cached.
 */
export function entryOf(shape: Shape, single: Shape): number {
  const { columns } = shape;
  const [value, lower, upper] = single.columns as [number, number, number];
  let low = 0;
  let high = shape.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = middle * SHAPE_STRIDE;
    const found = columns[at] as number;
    if (found < value) low = middle + 1;
    else if (found > value) high = middle - 1;
    else return Object.is(columns[at + 1], lower) && Object.is(columns[at + 2], upper) ? middle : -1;
  }
  return -1;
}

/** Same numbers, NaN equal to NaN. */
function sameColumns(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The one shape with these columns (or a new one, when the cache is full of others). */
function intern(columns: readonly number[]): Shape {
  const hash = hashOf(columns);
  const bucket = interned.get(hash);
  for (const shape of bucket ?? []) if (sameColumns(shape.columns, columns)) return shape;
  const shape = new Shape(columns, true);
  if (internedCount >= MAX_INTERNED) {
    interned.clear();
    internedCount = 0;
  }
  if (bucket && interned.has(hash)) bucket.push(shape);
  else interned.set(hash, [shape]);
  internedCount += 1;
  return shape;
}

/**
 * Packed values (`packed.ts`) as a shape and their weights: interned for reported buckets, which
 * repeat; not for a probe's one latency, which rarely does (it would only push layouts out).
 */
export function shapedValues(packed: PackedValues, internShape = true): ShapedValues {
  const columns: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < packed.length; i += PACKED_STRIDE) {
    columns.push(packed[i] as number, packed[i + 2] as number, packed[i + 3] as number);
    weights.push(packed[i + 1] as number);
  }
  return { shape: internShape ? intern(columns) : new Shape(columns, false), weights };
}

/** A layout a reporter used lately: its bounds, which of its buckets had calls, and the shape that made. */
interface RecentLayout {
  bounds: readonly number[];
  filled: readonly boolean[];
  shape: Shape;
}
/** A fleet's reporters share a few layouts, and a batch's calls mostly fill the same buckets. */
const RECENT_LAYOUTS = 8;
const recentLayouts: RecentLayout[] = [];
let nextRecent = 0;

function isLayout(recent: RecentLayout, bounds: readonly number[], counts: readonly number[]): boolean {
  if (recent.bounds.length !== bounds.length || recent.filled.length !== counts.length) return false;
  for (let i = 0; i < bounds.length; i += 1) if (recent.bounds[i] !== bounds[i]) return false;
  for (let i = 0; i < counts.length; i += 1) if (recent.filled[i] !== (counts[i] as number) > 0) return false;
  return true;
}

/** One call in a bucket (a span: `traces-intake.ts`), by the bucket's lower bound; shared, as values are never modified. */
const loneCalls = new Map<number, ShapedValues>();

function loneCall(lower: number, upper: number): ShapedValues {
  const known = loneCalls.get(lower);
  if (known && known.shape.columns[1] === lower && known.shape.columns[2] === upper) return known;
  const shaped = shapedValues(packBuckets([lower, upper], [0, 1, 0]));
  if (loneCalls.size >= MAX_INTERNED) loneCalls.clear();
  loneCalls.set(lower, shaped);
  return shaped;
}

/**
 * A reporter's histogram as a shape and weights — `shapedValues(packBuckets(bounds, counts))` —
 * without packing and interning it again when a recent call had the same bounds and filled the
 * same buckets (one weight a filled bucket then, when no two of its midpoints coincide). A span's
 * one call in one of its ~250 buckets is made once per bucket: through the recent layouts, spans
 * missed nearly every time, and pushed reporters' layouts out.
 */
export function shapedBuckets(bounds: readonly number[], counts: readonly number[]): ShapedValues {
  if (bounds.length === 2 && counts.length === 3 && counts[0] === 0 && counts[1] === 1 && counts[2] === 0) return loneCall(bounds[0] as number, bounds[1] as number);
  for (const recent of recentLayouts) {
    if (isLayout(recent, bounds, counts)) return { shape: recent.shape, weights: counts.filter((count) => count > 0) };
  }
  const shaped = shapedValues(packBuckets(bounds, counts));
  if (shaped.shape.interned && shaped.weights.length === counts.filter((count) => count > 0).length) {
    recentLayouts[nextRecent] = { bounds: [...bounds], filled: counts.map((count) => count > 0), shape: shaped.shape };
    nextRecent = (nextRecent + 1) % RECENT_LAYOUTS;
  }
  return shaped;
}

/** One entry's bucket merged with another's: both ranges when both have one, else none (a plain value has no range). */
function mergeRange(columns: number[], at: number, lower: number, upper: number): void {
  const foundLower = columns[at + 1] as number;
  const both = !Number.isNaN(lower) && !Number.isNaN(foundLower);
  columns[at + 1] = both ? Math.min(foundLower, lower) : NaN;
  columns[at + 2] = both ? Math.max(columns[at + 2] as number, upper) : NaN;
}

/** `own` and `other` merged (remembered when both are interned); the union is `own` itself when `other` adds nothing to it. */
export function unionOf(own: Shape, other: Shape): Union {
  const known = unions.get(own)?.get(other);
  if (known) return known;
  const a = own.columns;
  const b = other.columns;
  const columns: number[] = [];
  const ownAt = new Int32Array(own.length);
  const otherAt = new Int32Array(other.length);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const aValue = i < a.length ? (a[i] as number) : Infinity;
    const bValue = j < b.length ? (b[j] as number) : Infinity;
    const at = columns.length;
    if (aValue <= bValue) {
      columns.push(aValue, a[i + 1] as number, a[i + 2] as number);
      ownAt[i / SHAPE_STRIDE] = at / SHAPE_STRIDE;
      i += SHAPE_STRIDE;
      if (aValue === bValue) {
        mergeRange(columns, at, b[j + 1] as number, b[j + 2] as number);
        otherAt[j / SHAPE_STRIDE] = at / SHAPE_STRIDE;
        j += SHAPE_STRIDE;
      }
    } else {
      columns.push(bValue, b[j + 1] as number, b[j + 2] as number);
      otherAt[j / SHAPE_STRIDE] = at / SHAPE_STRIDE;
      j += SHAPE_STRIDE;
    }
  }
  const remembered = own.interned && other.interned;
  const union = { shape: sameColumns(columns, a) ? own : remembered ? intern(columns) : new Shape(columns, false), ownAt, otherAt };
  if (!remembered) return union;
  if (unionCount >= MAX_UNIONS) {
    unions.clear();
    unionCount = 0;
  }
  const byOther = unions.get(own);
  if (byOther) byOther.set(other, union);
  else unions.set(own, new Map([[other, union]]));
  unionCount += 1;
  return union;
}

/** A shape and its weights (× `weightScale`) as weighted values, with their buckets where they have them. */
export function weightedValues(shape: Shape, weights: readonly number[], weightScale = 1): WeightedValue[] {
  const values: WeightedValue[] = [];
  const columns = shape.columns;
  for (let k = 0; k < shape.length; k += 1) {
    const value = columns[k * SHAPE_STRIDE] as number;
    const lower = columns[k * SHAPE_STRIDE + 1] as number;
    const weight = (weights[k] as number) * weightScale;
    values.push(Number.isNaN(lower) ? { value, weight } : { value, weight, lower, upper: columns[k * SHAPE_STRIDE + 2] as number });
  }
  return values;
}

/** The value of a shape's entry `k`. */
export const valueAt = (shape: Shape, k: number): number => shape.columns[k * SHAPE_STRIDE] as number;
