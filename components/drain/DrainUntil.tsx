'use client';

import { formatClockNear, formatIn } from '@/lib/client/formatTime';
import { useNow } from '@/lib/client/useNow';

/** "until 15:00 (in 42 min)" in the reader's clock (with the day when not today), or "until lifted"; ticks each second. */
export function DrainUntil({ until }: { until: string | undefined }) {
  const now = useNow();
  if (until === undefined) return <span>until lifted</span>;
  const date = new Date(until);
  if (Number.isNaN(date.getTime())) return <span>until {until}</span>;
  return (
    <span>
      until{' '}
      <time dateTime={date.toISOString()} title={date.toLocaleString()}>
        {now === null ? '…' : `${formatClockNear(until, now)} (${formatIn(until, now)})`}
      </time>
    </span>
  );
}
