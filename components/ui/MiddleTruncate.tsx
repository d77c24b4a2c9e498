import type { CSSProperties } from 'react';
import { cutMinEm, ELLIPSIS_EM, splitForMiddleEllipsis, textEm } from '@/lib/model/middle-ellipsis';

/**
 * One line that, when too long, elides its middle: the head is cut with an ellipsis by CSS at
 * whatever width there is, the last `tail` characters show while there is room for them and a cut
 * head, and are cut at their end with an ellipsis of their own past that (see lib/model/middle-ellipsis).
 * A cut head keeps room for a whole '…' (1 em), so a head no wider than that saves nothing cut and
 * shows with the tail; a cut tail keeps its first character too (`cutMinEm`). The full text is in `title`, and once more,
 * unbroken, for screen readers, selection and copying: browsers read two flex items as two words
 * ("7587874236 215621"), so the split copy is hidden from them.
 */
export function MiddleTruncate({ text, tail, className }: { text: string; tail: number; className?: string }) {
  const split = splitForMiddleEllipsis(text, tail);
  const parts = split.head !== '' && textEm(split.head) <= ELLIPSIS_EM ? { head: '', tail: text } : split;
  // A tail narrower than its first character and a '…' is never cut: no room kept after it.
  const tailMinEm = textEm(parts.tail) > cutMinEm(parts.tail) ? cutMinEm(parts.tail) : 0;
  const room = { '--mid-tail-min': `${tailMinEm}em` } as CSSProperties;
  return (
    <span className={className ? `mid-ellipsis ${className}` : 'mid-ellipsis'} title={text} style={room}>
      <span className="mid-ellipsis__shown" aria-hidden="true">
        {parts.head !== '' && <span className="mid-ellipsis__head">{parts.head}</span>}
        <span className="mid-ellipsis__tail">{parts.tail}</span>
      </span>
      <span className="visually-hidden">{text}</span>
    </span>
  );
}
