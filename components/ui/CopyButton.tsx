'use client';

import { useEffect, useState } from 'react';
import { copyText } from '@/lib/client/clipboard';

const SHOWN_MS = 1_500;

/** A small "copy" button for one value (an address, a token); says "Copied" for a moment, or that it could not. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);
  useEffect(() => {
    if (result === null) return;
    const timer = setTimeout(() => setResult(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [result]);
  return (
    <button
      type="button"
      className={`copy-button${result ? ` is-${result}` : ''}`}
      aria-label={`Copy ${label}`}
      title={result === 'failed' ? 'Could not copy: select the text instead' : `Copy ${label}`}
      onClick={(event) => {
        // Rows that navigate on click must not see this one.
        event.stopPropagation();
        void copyText(text).then((ok) => setResult(ok ? 'copied' : 'failed'));
      }}
    >
      <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
        <rect x="5" y="5" width="8.5" height="8.5" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
        <path d="M3 10.5V3.5A1 1 0 0 1 4 2.5h6.5" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
      </svg>
      <span className="copy-button__result" role="status">
        {result === 'copied' ? 'Copied' : result === 'failed' ? 'Copy failed' : ''}
      </span>
    </button>
  );
}

/**
 * An address shown whole (it wraps, never truncates) with its copy button. A narrow box breaks it
 * before the port ("127.0.0.1" / ":45921") rather than inside a number.
 */
export function CopyableText({ text, label, className }: { text: string; label: string; className?: string }) {
  const port = text.lastIndexOf(':');
  return (
    <span className={`copyable${className ? ` ${className}` : ''}`}>
      <span className="copyable__text">
        {port > 0 ? (
          <>
            {text.slice(0, port)}
            <wbr />
            {text.slice(port)}
          </>
        ) : (
          text
        )}
      </span>
      <CopyButton text={text} label={label} />
    </span>
  );
}
