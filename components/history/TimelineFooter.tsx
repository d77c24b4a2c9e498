import type { HistoryEventsView } from '@/lib/client/useHistoryEvents';

interface Props {
  view: HistoryEventsView;
  /** How many events, how many of them are grouped into how many rows, and how many of those are open (`timelineCount`). */
  count: string;
  index: number;
  start: number;
  measure: (element: HTMLElement | null) => void;
}

/** The last row: loading more, a failed page with retry, the cap, or the end of the range. */
export function TimelineFooter({ view, count, index, start, measure }: Props) {
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
        <span aria-live="polite">{view.loadingMore ? 'Loading older events…' : `Loaded ${count} — scroll for more`}</span>
      ) : (
        <span>Start of the range — {count}</span>
      )}
    </div>
  );
}
