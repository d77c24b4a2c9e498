import { memo } from 'react';

interface Props {
  values: readonly (number | null)[];
  /** Per value: a probe failed there; drawn as a short red mark rising from the floor, never as a latency. */
  failed?: readonly boolean[];
  label: string;
  width?: number;
  height?: number;
}

/** An SVG path through the values on a 0-based scale; a null breaks the line, a lone value is a dot. */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number): string {
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  const scale = max > 0 ? (height - 2) / max : 0;
  const step = values.length > 1 ? (width - 2) / (values.length - 1) : 0;
  let path = '';
  let drawing = false;
  values.forEach((value, i) => {
    if (value === null) {
      drawing = false;
      return;
    }
    const x = (1 + i * step).toFixed(1);
    const y = (height - 1 - value * scale).toFixed(1);
    const next = values[i + 1];
    // A run of one point: a tiny stroke, which the round cap turns into a dot.
    const lone = !drawing && (next === null || next === undefined);
    path += drawing ? `L${x} ${y}` : lone ? `M${x} ${y}h0.1` : `M${x} ${y}`;
    drawing = true;
  });
  return path;
}

/** Marks at the failed slots: a tick from the floor up to a third of the height, at the slot's x. */
export function failedMarksPath(failed: readonly boolean[], count: number, width: number, height: number): string {
  const step = count > 1 ? (width - 2) / (count - 1) : 0;
  const tall = Math.max(4, Math.round(height / 3));
  let path = '';
  failed.forEach((isFailed, i) => {
    if (isFailed) path += `M${(1 + i * step).toFixed(1)} ${height - 0.5}v-${tall}`;
  });
  return path;
}

/** A tiny axis-less trend line (about 90 × 24 px); `label` says what it shows and the latest value. */
export const Sparkline = memo(function Sparkline({ values, failed = [], label, width = 90, height = 24 }: Props) {
  const marks = failed.includes(true) ? failedMarksPath(failed, values.length, width, height) : '';
  return (
    <svg className="sparkline" role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>{label}</title>
      <line className="sparkline__floor" x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} />
      <path className="sparkline__line" d={sparklinePath(values, width, height)} />
      {marks && <path className="sparkline__failed" d={marks} />}
    </svg>
  );
});
