import type { ElementType } from 'react';

/** One line, ellipsis when too long, the full text on hover. */
export function Truncate({ text, as: Tag = 'span', className }: { text: string; as?: ElementType; className?: string }) {
  return (
    <Tag className={className ? `truncate ${className}` : 'truncate'} title={text}>
      {text}
    </Tag>
  );
}
