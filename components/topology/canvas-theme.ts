import type { EdgeTone } from './flow';

/** The theme variable of each edge tone (the SVG edges use the same ones in CSS). */
export const EDGE_TONE_VARS: Record<EdgeTone, string> = { idle: '--edge-idle', ok: '--edge-ok', warning: '--warning', critical: '--critical' };

/**
 * An opaque 2D context for one of the map's canvases — the compositor then draws nothing beneath
 * it and blends nothing (software compositing of a transparent full-screen canvas cost more than
 * the frame) — with the device pixel ratio and a reader of the theme's CSS variables.
 */
export function opaqueCanvas(element: HTMLCanvasElement): { context: CanvasRenderingContext2D; ratio: number; colour: (name: string) => string } | null {
  const context = element.getContext('2d', { alpha: false });
  if (!context) return null;
  const css = getComputedStyle(element);
  return { context, ratio: window.devicePixelRatio || 1, colour: (name) => css.getPropertyValue(name).trim() || '#888' };
}
