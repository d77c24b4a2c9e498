/**
 * Whether the map is laid out again by itself for calls seen since its layout that are drawn
 * right to left (`backwardSinceLayout`). A whole layout moves every node; during an outage error
 * calls come and go, and a layout for each one made the map jump again and again under the reader's
 * eyes. So a page shows one by itself at most once a minute, and never while the reader holds the
 * view; meanwhile the calls are counted on "Re-layout".
 */

export type AutoRelayout =
  /** Nothing to do, or the positions or the view are the reader's: the count stays on "Re-layout". */
  | { kind: 'none' }
  | { kind: 'now' }
  /** Due at `atMs` (same clock as `nowMs`); the count shows on "Re-layout" until then. */
  | { kind: 'later'; atMs: number };

export interface AutoRelayoutInput {
  backwardSinceLayout: number;
  /** A node was dragged in this grouping mode: the positions are the reader's. */
  arranged: boolean;
  /** False while the reader holds the view (panned or zoomed by hand, or dragging a node). */
  viewIsOurs: boolean;
  /** When this page last showed a whole layout (made by itself, or asked for with "Re-layout"). */
  lastWholeLayoutAtMs: number | undefined;
  nowMs: number;
}

/** The least time from a whole layout a page showed to one it makes by itself. */
export const AUTO_RELAYOUT_SPACING_MS = 60_000;

export function autoRelayout({ backwardSinceLayout, arranged, viewIsOurs, lastWholeLayoutAtMs, nowMs }: AutoRelayoutInput): AutoRelayout {
  if (backwardSinceLayout === 0 || arranged || !viewIsOurs) return { kind: 'none' };
  if (lastWholeLayoutAtMs === undefined) return { kind: 'now' };
  const atMs = lastWholeLayoutAtMs + AUTO_RELAYOUT_SPACING_MS;
  return nowMs >= atMs ? { kind: 'now' } : { kind: 'later', atMs };
}
