'use client';

import { useEffect, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface Props {
  /** id of the element that names the dialog (its heading). */
  labelledBy: string;
  describedBy?: string;
  /** Esc, the close button, Cancel. Ignored while `busy`, so a request in flight is not orphaned. */
  onClose: () => void;
  busy?: boolean;
  /** Receives focus when the dialog opens (else the dialog itself). */
  initialFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}

/**
 * A modal `<dialog>` in the top layer (the page behind it is inert), rendered into <body> so a
 * table cell's overflow and nowrap never reach it. Focus moves in on open, Tab and Shift+Tab wrap
 * inside, Esc closes, and focus returns to whatever opened it. Mount it to open, unmount to close.
 */
export function Modal({ labelledBy, describedBy, onClose, busy = false, initialFocus, className, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const latest = useRef({ onClose, busy, initialFocus });
  useEffect(() => {
    latest.current = { onClose, busy, initialFocus };
  });

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    (latest.current.initialFocus?.current ?? dialog).focus();
    return () => {
      if (dialog.open) dialog.close();
      // The opener may have been re-rendered meanwhile; it is the same element when React kept it.
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    // React bubbles portal events to the opener's ancestors: keys typed here are not theirs (the
    // map's side panel closes on Escape, its canvas pans on arrows).
    event.stopPropagation();
    if (event.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === ref.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <dialog
      ref={ref}
      className={className ? `modal ${className}` : 'modal'}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      aria-busy={busy || undefined}
      tabIndex={-1}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Esc: React owns whether the dialog is open.
        event.preventDefault();
        if (!latest.current.busy) latest.current.onClose();
      }}
    >
      {children}
    </dialog>,
    document.body,
  );
}
