'use client';

import { useEffect, useRef, type ReactNode } from 'react';

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  label: string;
  /** Enter (Shift+Enter: `backwards`), e.g. to step through matches. */
  onEnter?: (backwards: boolean) => void;
  describedBy?: string;
  /** Shown after the input instead of the `/` hint (e.g. a live match count). */
  after?: ReactNode;
}

/** Search input; `/` anywhere on the page focuses it, Escape clears it. */
export function SearchBox({ value, onChange, placeholder, label, onEnter, describedBy, after }: Props) {
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <div className="search">
      <svg className="search__icon" viewBox="0 0 16 16" width="13" height="13" aria-hidden="true" focusable="false">
        <circle cx="7" cy="7" r="4.8" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <path d="m10.6 10.6 3.6 3.6" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
      <input
        ref={input}
        type="search"
        className="search__input"
        placeholder={placeholder}
        aria-label={label}
        aria-keyshortcuts="/"
        aria-describedby={describedBy}
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && onEnter) {
            e.preventDefault();
            onEnter(e.shiftKey);
          } else if (e.key === 'Escape' && value !== '') {
            e.preventDefault();
            onChange('');
          }
        }}
      />
      {after ??
        (value === '' && (
          <kbd className="search__hint" aria-hidden="true">
            /
          </kbd>
        ))}
    </div>
  );
}
