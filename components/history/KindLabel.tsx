import type { HistoryEvent } from '@/lib/model/events';
import { eventLabel, eventTone, KIND_LABELS } from './format';
import { KindIcon } from './KindIcon';

/** Icon and label of an event's kind, tinted by how it reads (failure, recovery, …). */
export function KindLabel({ event }: { event: Pick<HistoryEvent, 'kind' | 'to' | 'detail'> }) {
  return (
    <span className={`kind-label tone--${eventTone(event)}`}>
      <KindIcon kind={event.kind} />
      <span className="kind-label__text">{eventLabel(event)}</span>
      {/* Narrow screens show where a health change went instead of the kind's name: the row has no room for both. */}
      {event.kind === 'health.changed' && event.to !== undefined && (
        <span className="kind-label__to">
          <span className="visually-hidden">{KIND_LABELS[event.kind]} </span>→ {event.to}
        </span>
      )}
    </span>
  );
}
