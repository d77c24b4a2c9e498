'use client';

import { useEffect, useRef } from 'react';
import { EVENT_KINDS, type EventKind } from '@/lib/model/events';
import { FAILURE_KINDS } from '@/lib/model/history-query';
import { kindFilterLabel } from './format';
import { KindIcon } from './KindIcon';

interface Props {
  value: readonly EventKind[];
  onChange: (kinds: EventKind[]) => void;
}

function summary(value: readonly EventKind[]): string {
  if (value.length === 0 || value.length === EVENT_KINDS.length) return 'All kinds';
  if (value.length === 1 && value[0] !== undefined) return kindFilterLabel(value[0]);
  return `${value.length} kinds`;
}

/** Multi-select of event kinds: a disclosure with checkboxes (native keyboard: Tab, Space; Escape closes). */
export function KindPicker({ value, onChange }: Props) {
  const details = useRef<HTMLDetailsElement>(null);
  const all = value.length === 0;

  useEffect(() => {
    const close = (event: MouseEvent | FocusEvent): void => {
      const element = details.current;
      if (element?.open && event.target instanceof Node && !element.contains(event.target)) element.open = false;
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('focusin', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('focusin', close);
    };
  }, []);

  const toggle = (kind: EventKind): void => {
    const chosen = new Set(all ? [] : value);
    if (!chosen.delete(kind)) chosen.add(kind);
    const next = EVENT_KINDS.filter((k) => chosen.has(k));
    onChange(next.length === EVENT_KINDS.length ? [] : next);
  };

  return (
    <details
      ref={details}
      className={all ? 'kind-picker' : 'kind-picker is-active'}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && details.current?.open) {
          event.preventDefault();
          details.current.open = false;
          details.current.querySelector('summary')?.focus();
        }
      }}
    >
      <summary className="kind-picker__summary">
        <span className="visually-hidden">Event kinds: </span>
        {summary(value)}
      </summary>
      <fieldset className="kind-picker__menu">
        <legend className="visually-hidden">Event kinds to show</legend>
        <div className="kind-picker__quick">
          <button type="button" className="button button--quiet button--small" onClick={() => onChange([])} disabled={all}>
            All
          </button>
          <button type="button" className="button button--quiet button--small" onClick={() => onChange([...FAILURE_KINDS])}>
            Failures
          </button>
        </div>
        {EVENT_KINDS.map((kind) => (
          <label key={kind} className="kind-picker__option">
            <input type="checkbox" checked={!all && value.includes(kind)} onChange={() => toggle(kind)} />
            <KindIcon kind={kind} />
            {kindFilterLabel(kind)}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
