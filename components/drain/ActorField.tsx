'use client';

import { useId, type RefObject } from 'react';

interface Props {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  inputRef: RefObject<HTMLInputElement | null>;
}

/** Who acts, recorded with the drain in history. Until sign-in exists it is whatever the operator types. */
export function ActorField({ value, onChange, error, inputRef }: Props) {
  const id = useId();
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <label className="field__label" htmlFor={`${id}-input`}>
        Acting as <span className="field__optional">(optional)</span>
      </label>
      <input
        ref={inputRef}
        id={`${id}-input`}
        className="field__input field__input--short"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder="anonymous"
        autoComplete="username"
        spellCheck={false}
        maxLength={64}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error ${id}-help` : `${id}-help`}
      />
      {error && (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <p className="field__help" id={`${id}-help`}>
        Until sign-in exists, this name is sent as the <code>X-Switchyard-Actor</code> header and recorded in history with the drain; it is remembered in this
        browser only. Leave it empty to act as “anonymous”.
      </p>
    </div>
  );
}
