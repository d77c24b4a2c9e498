import { splitForMiddleEllipsis } from '@/lib/model/middle-ellipsis';

/**
 * One line that, when too long, elides its middle: the head is cut with an ellipsis by CSS at
 * whatever width there is, the last `tail` characters always show (see lib/model/middle-ellipsis).
 * The full text is in `title`, and once more, unbroken, for screen readers, selection and copying:
 * browsers read two flex items as two words ("7587874236 215621"), so the split copy is hidden
 * from them.
 */
export function MiddleTruncate({ text, tail, className }: { text: string; tail: number; className?: string }) {
  const parts = splitForMiddleEllipsis(text, tail);
  return (
    <span className={className ? `mid-ellipsis ${className}` : 'mid-ellipsis'} title={text}>
      <span className="mid-ellipsis__shown" aria-hidden="true">
        {parts.head !== '' && <span className="mid-ellipsis__head">{parts.head}</span>}
        <span className="mid-ellipsis__tail">{parts.tail}</span>
      </span>
      <span className="visually-hidden">{text}</span>
    </span>
  );
}
