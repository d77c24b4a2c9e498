'use client';

import { useRef, type KeyboardEvent } from 'react';
import { WindowSchema, type LatencyWindow } from '@/lib/model/latency';

const OPTIONS: readonly LatencyWindow[] = WindowSchema.options;

const FULL_NAMES: Record<LatencyWindow, string> = {
  '5m': 'Last 5 minutes',
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
};

/**
 * A segmented control with radio semantics: Tab reaches the chosen window, arrow keys (and
 * Home/End) move the choice, as in the WAI-ARIA radio group pattern.
 */
export function WindowPicker({ value, onChange }: { value: LatencyWindow; onChange: (window: LatencyWindow) => void }) {
  const buttons = useRef(new Map<LatencyWindow, HTMLButtonElement>());
  const choose = (window: LatencyWindow): void => {
    onChange(window);
    buttons.current.get(window)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = OPTIONS.indexOf(value);
    const target =
      event.key === 'ArrowRight' || event.key === 'ArrowDown'
        ? OPTIONS[(index + 1) % OPTIONS.length]
        : event.key === 'ArrowLeft' || event.key === 'ArrowUp'
          ? OPTIONS[(index - 1 + OPTIONS.length) % OPTIONS.length]
          : event.key === 'Home'
            ? OPTIONS[0]
            : event.key === 'End'
              ? OPTIONS[OPTIONS.length - 1]
              : undefined;
    if (target === undefined) return;
    event.preventDefault();
    choose(target);
  };
  return (
    <div className="segmented" role="radiogroup" aria-label="Time window" onKeyDown={onKeyDown}>
      {OPTIONS.map((window) => (
        <button
          key={window}
          ref={(element) => {
            if (element) buttons.current.set(window, element);
            else buttons.current.delete(window);
          }}
          type="button"
          role="radio"
          aria-checked={window === value}
          tabIndex={window === value ? 0 : -1}
          className="segmented__option"
          title={FULL_NAMES[window]}
          onClick={() => choose(window)}
        >
          {window}
        </button>
      ))}
    </div>
  );
}
