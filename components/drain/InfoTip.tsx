'use client';

import { useId, useState, type ReactNode } from 'react';

/**
 * A small "?" that explains something on hover and on keyboard focus (a title attribute does
 * neither for keyboard users); Esc hides it again without moving focus.
 */
export function InfoTip({ label, children }: { label: string; children: ReactNode }) {
  const id = useId();
  const [dismissed, setDismissed] = useState(false);
  return (
    <span className={dismissed ? 'info-tip is-dismissed' : 'info-tip'} onPointerEnter={() => setDismissed(false)}>
      <button
        type="button"
        className="info-tip__button"
        aria-label={label}
        aria-describedby={id}
        onFocus={() => setDismissed(false)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && !dismissed) {
            event.stopPropagation();
            setDismissed(true);
          }
        }}
      >
        ?
      </button>
      <span role="tooltip" id={id} className="info-tip__bubble">
        {children}
      </span>
    </span>
  );
}
