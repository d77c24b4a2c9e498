'use client';

import { useState, type KeyboardEvent } from 'react';
import type { Observed } from '@/lib/model/uptime';
import { formatTimeRange, OBSERVED_LABELS, stripSummary } from './format';

interface Props {
  /** Who the strip is about, for its accessible name ("Service", "Instance u-1"). */
  label: string;
  cells: readonly Observed[];
  fromMs: number;
  bucketMs: number;
}

/**
 * A heartbeat strip: one cell per bucket, the worst status seen in it. Critical cells are hatched
 * and full height, warnings half-filled, unknown dashed, no data hollow: shape as well as colour.
 * Hover or focus (then ←/→) shows a cell's time range and status.
 */
export function HeartbeatStrip({ label, cells, fromMs, bucketMs }: Props) {
  const [active, setActive] = useState<number | null>(null);
  const tip = (index: number) => {
    const cell = cells[index] ?? 'none';
    return `${formatTimeRange(fromMs + index * bucketMs, fromMs + (index + 1) * bucketMs)} · ${OBSERVED_LABELS[cell]}`;
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const current = active ?? cells.length - 1;
    const next = event.key === 'ArrowLeft' ? current - 1 : event.key === 'ArrowRight' ? current + 1 : event.key === 'Home' ? 0 : event.key === 'End' ? cells.length - 1 : null;
    if (next === null) return;
    event.preventDefault();
    setActive(Math.max(0, Math.min(cells.length - 1, next)));
  };
  return (
    <div
      className="heartbeat"
      role="group"
      tabIndex={0}
      aria-label={`${label}: ${stripSummary(cells)} of ${cells.length} intervals. Use the arrow keys for each interval.`}
      onKeyDown={onKeyDown}
      onFocus={() => setActive((current) => current ?? cells.length - 1)}
      onBlur={() => setActive(null)}
      onPointerLeave={() => setActive(null)}
    >
      {cells.map((cell, index) => (
        <span
          key={index}
          className={`heartbeat__cell heartbeat__cell--${cell}${index === active ? ' is-active' : ''}`}
          onPointerEnter={() => setActive(index)}
          aria-hidden="true"
        />
      ))}
      {active !== null && (
        <span className="heartbeat__tip" role="status" style={{ left: `${((active + 0.5) / cells.length) * 100}%` }}>
          {tip(active)}
        </span>
      )}
    </div>
  );
}
