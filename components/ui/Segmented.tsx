'use client';

import { useRef, type KeyboardEvent } from 'react';

interface Props<T extends string> {
  label: string;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  /** Full names for tooltips and screen readers. */
  titles?: Partial<Record<T, string>>;
  /** Called when the chosen option is clicked again (e.g. to re-anchor "last 24 h" at now). */
  onReselect?: (value: T) => void;
}

/** A segmented control with radio semantics: Tab reaches the choice, arrows/Home/End move it (WAI-ARIA radio group). */
export function Segmented<T extends string>({ label, options, value, onChange, titles, onReselect }: Props<T>) {
  const buttons = useRef(new Map<T, HTMLButtonElement>());
  const choose = (option: T): void => {
    if (option === value) onReselect?.(option);
    else onChange(option);
    buttons.current.get(option)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = Math.max(0, options.indexOf(value));
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    const target = step !== 0 ? options[(index + step + options.length) % options.length] : event.key === 'Home' ? options[0] : event.key === 'End' ? options[options.length - 1] : undefined;
    if (target === undefined) return;
    event.preventDefault();
    choose(target);
  };
  return (
    <div className="segmented" role="radiogroup" aria-label={label} onKeyDown={onKeyDown}>
      {options.map((option) => (
        <button
          key={option}
          ref={(element) => {
            if (element) buttons.current.set(option, element);
            else buttons.current.delete(option);
          }}
          type="button"
          role="radio"
          aria-checked={option === value}
          tabIndex={option === value ? 0 : -1}
          className="segmented__option"
          title={titles?.[option]}
          onClick={() => choose(option)}
        >
          {option}
        </button>
      ))}
    </div>
  );
}
