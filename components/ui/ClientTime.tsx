'use client';

import { formatClockNear, formatRelative } from '@/lib/client/formatTime';
import { useNow } from '@/lib/client/useNow';

/**
 * "14:03:12 (3 min ago)", or "(in 23 h)" for a time ahead, in the reader's timezone, with the day when
 * it is not today ("Dec 8, 14:03:12 (in 24 h)"); rendered only
 * in the browser (the server's clock and timezone are not the reader's), with `fallback` until then.
 */
export function ClientTime({ at, relative = true, fallback = '' }: { at: string | number; relative?: boolean; fallback?: string }) {
  const now = useNow();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <span>{String(at)}</span>;
  const iso = date.toISOString();
  if (now === null) return <time dateTime={iso}>{fallback}</time>;
  return (
    <time dateTime={iso} title={date.toLocaleString()}>
      {formatClockNear(at, now)}
      {relative && ` (${formatRelative(at, now)})`}
    </time>
  );
}
