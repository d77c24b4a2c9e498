import type { HistoryEventsView } from '@/lib/client/useHistoryEvents';

const number = new Intl.NumberFormat('en');

interface Props {
  view: HistoryEventsView;
  index: number;
  start: number;
  measure: (element: HTMLElement | null) => void;
}

/** The last row: loading more, a failed page with retry, the cap, or the end of the range. */
export function TimelineFooter({ view, index, start, measure }: Props) {
  const count = `${number.format(view.events.length)} ${view.events.length === 1 ? 'event' : 'events'}`;
  return (
    <div ref={measure} data-index={index} className="timeline-footer" style={{ transform: `translateY(${start}px)` }}>
      {view.moreError !== null ? (
        <span role="alert">
          Could not load older events: {view.moreError}{' '}
          <button type="button" className="button button--small" onClick={view.retry}>
            Retry
          </button>
        </span>
      ) : view.capped ? (
        <span>Showing the newest {count}. Narrow the range or the filters, or export, to see older ones.</span>
      ) : view.hasMore ? (
        <span aria-live="polite">{view.loadingMore ? 'Loading older events…' : `${count} loaded — scroll for more`}</span>
      ) : (
        <span>Start of the range — {count}</span>
      )}
    </div>
  );
}
