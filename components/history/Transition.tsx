import type { HistoryEvent } from '@/lib/model/events';
import { StatusBadge } from '../ui/StatusBadge';
import { statusOf } from './format';

function State({ value }: { value: string }) {
  const status = statusOf(value);
  return status ? <StatusBadge status={status} /> : <span className="transition__text" title={value}>{value}</span>;
}

/** "from → to" of an event, status badges where the states are statuses; nothing when the event has neither. */
export function Transition({ event }: { event: Pick<HistoryEvent, 'from' | 'to'> }) {
  if (event.from === undefined && event.to === undefined) return null;
  return (
    <span className="transition">
      {event.from !== undefined && <State value={event.from} />}
      <span className="transition__arrow" aria-hidden="true">
        →
      </span>
      <span className="visually-hidden"> to </span>
      {event.to !== undefined ? <State value={event.to} /> : <span className="muted">—</span>}
    </span>
  );
}
