'use client';

import { useCallback, useEffect, useId, useState } from 'react';

interface Props {
  label: string;
  value: string;
  placeholder: string;
  /** Suggestions (a datalist); the filter still matches exactly. */
  suggestions: readonly string[];
  onCommit: (value: string) => void;
}

const DEBOUNCE_MS = 400;

/** A text filter that commits after typing pauses (or on Enter), so the list reloads once, not per keystroke. */
export function TextFilter({ label, value, placeholder, suggestions, onCommit }: Props) {
  const listId = useId();
  const [draft, setDraft] = useState(value);
  const [committed, setCommitted] = useState(value);
  // What this field last asked for: its echo through the URL must not undo typing since.
  const [sent, setSent] = useState<string | null>(null);
  if (value !== committed) {
    setCommitted(value);
    // A change from elsewhere (a link, "Only this service", Clear) replaces what is typed.
    if (value !== sent) setDraft(value);
  }
  const commit = useCallback(
    (next: string) => {
      setSent(next);
      onCommit(next);
    },
    [onCommit],
  );

  useEffect(() => {
    if (draft.trim() === value) return;
    const timer = setTimeout(() => commit(draft.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, value, commit]);

  return (
    <label className={value === '' ? 'text-filter' : 'text-filter is-active'}>
      <span className="text-filter__label">{label}</span>
      <input
        type="search"
        className="text-filter__input"
        value={draft}
        placeholder={placeholder}
        list={suggestions.length > 0 ? listId : undefined}
        spellCheck={false}
        autoComplete="off"
        maxLength={256}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit(draft.trim());
          if (event.key === 'Escape' && draft !== '') {
            event.preventDefault();
            setDraft('');
            commit('');
          }
        }}
      />
      {suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.slice(0, 500).map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
        </datalist>
      )}
    </label>
  );
}
