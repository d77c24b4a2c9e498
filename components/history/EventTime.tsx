'use client';

import { formatAgo } from '@/lib/client/formatTime';
import { useNow } from '@/lib/client/useNow';
import { formatEventTime } from './format';

/** "Mar 3, 14:03:12" and "3 min ago" in the reader's timezone; rendered in the browser only. */
export function EventTime({ at, stacked = false }: { at: string; stacked?: boolean }) {
  const now = useNow();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <span>{at}</span>;
  if (now === null) return <time dateTime={at} className="event-time" />;
  return (
    <time dateTime={at} className={stacked ? 'event-time event-time--stacked' : 'event-time'} title={date.toLocaleString()}>
      <span className="event-time__clock">{formatEventTime(at)}</span>
      <span className="event-time__ago">{formatAgo(at, now)}</span>
    </time>
  );
}
