'use client';

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { HistoryEventsView } from '@/lib/client/useHistoryEvents';
import { lossDepartures } from '@/lib/model/loss-departures';
import { MIN_TAIL } from '@/lib/model/middle-ellipsis';
import { instanceTails, timelineCount, timelineEntries, type TimelineEntry } from '@/lib/model/timeline-entries';
import { LoadError } from '../charts/LoadError';
import type { RowFilterActions } from './EventDetails';
import { NewEventsPill } from './NewEventsPill';
import { TimelineFooter } from './TimelineFooter';
import { TimelineGroupRow } from './TimelineGroupRow';
import { TimelineHeader } from './TimelineHeader';
import { TimelineRow } from './TimelineRow';
import { TimelineSkeleton } from './TimelineSkeleton';

/** Collapsed row height (px); expanded rows are measured. */
export const ROW_HEIGHT = 34;
/** Up to 760 px (TWO_LINES_MEDIA), with a service column, the service is a second line (history.css). */
const ROW_HEIGHT_TWO_LINES = 52;
const TWO_LINES_MEDIA = '(max-width: 760px)';
/** Older pages load when the last rendered row is this close to the end. */
const LOAD_AHEAD = 150;
/** Within this many px of the top the reader follows live events. */
const TOP_SLACK = 4;

const keyOf = (entry: TimelineEntry | undefined): string | number => (entry === undefined ? 'footer' : entry.type === 'group' ? entry.key : entry.event.id);

interface Props extends RowFilterActions {
  view: HistoryEventsView;
  label: string;
  showService?: boolean;
  /** Shown when the range holds no events. */
  empty: ReactNode;
  /** 'page' fills the window; 'panel' is a fixed height inside a side panel. */
  size?: 'page' | 'panel';
}

/** Whether the window is narrow enough for two-line rows (history.css's 760 px), followed as it changes. */
function useTwoLineRows(): boolean {
  const [twoLines, setTwoLines] = useState(false);
  useLayoutEffect(() => {
    const media = matchMedia(TWO_LINES_MEDIA);
    const follow = (): void => setTwoLines(media.matches);
    follow();
    media.addEventListener('change', follow);
    return () => media.removeEventListener('change', follow);
  }, []);
  return twoLines;
}

/**
 * The virtualised event timeline: only the rows in view (plus overscan) exist in the DOM, older
 * pages load as the end comes near, and live events appear at the top while the reader is there
 * (otherwise a pill offers them). Keyboard: ↑/↓/PgUp/PgDn/Home/End move between rows, Enter expands.
 * Runs of first passes (`unknown → passing`, every instance after a restart) are one line each
 * until opened (lib/model/timeline-entries.ts).
 */
export function Timeline({ view, label, showService = true, empty, size = 'page', onFilter }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const rowHeight = useTwoLineRows() && showService ? ROW_HEIGHT_TWO_LINES : ROW_HEIGHT;
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const [openGroups, setOpenGroups] = useState<ReadonlySet<string>>(() => new Set());
  const [active, setActive] = useState(0);
  const focusNext = useRef<number | null>(null);
  const { events, phase, hasMore, loadMore, setFollowing } = view;
  const entries = useMemo(() => timelineEntries(events, openGroups), [events, openGroups]);
  // Every row stays (it is the record), but a lost instance's deregistration says it was no removal on purpose.
  const ofLosses = useMemo(() => lossDepartures(events), [events]);
  const idTails = useMemo(() => instanceTails(events), [events]);

  const virtualizer = useVirtualizer({
    count: entries.length + 1,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    getItemKey: (index) => keyOf(entries[index]),
  });
  // Rows change height with the window: every collapsed row is placed again.
  useLayoutEffect(() => virtualizer.measure(), [virtualizer, rowHeight]);
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  // Looked at again whenever events arrive: a page that folds into lines already shown (a start's
  // 500 first passes) changes neither the line count nor the last index, and the end stays in view.
  useEffect(() => {
    if (phase === 'ready' && hasMore && lastIndex >= entries.length - LOAD_AHEAD) loadMore();
  }, [phase, hasMore, lastIndex, entries.length, events.length, loadMore]);

  // A new filter starts a new list: back to the top, nothing expanded.
  useEffect(() => {
    if (phase !== 'loading') return;
    scroller.current?.scrollTo({ top: 0 });
    setExpanded(new Set());
    setOpenGroups(new Set());
    setActive(0);
  }, [phase]);

  // Keyboard moves focus to a row that may only exist after the virtualizer rendered it.
  useLayoutEffect(() => {
    const index = focusNext.current;
    if (index === null) return;
    const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (row) {
      focusNext.current = null;
      row.focus({ preventScroll: true });
    }
  });

  const toggle = useCallback(
    (id: number, index: number) => {
      setExpanded((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      });
      // Collapsed rows are not measured (no forced layout while scrolling): forget the expanded height.
      virtualizer.resizeItem(index, rowHeight);
    },
    [virtualizer, rowHeight],
  );
  const toggleGroup = useCallback((key: string, index: number) => {
    setOpenGroups((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
    setActive(index);
  }, []);

  const moveTo = (index: number): void => {
    const target = Math.max(0, Math.min(entries.length - 1, index));
    setActive(target);
    focusNext.current = target;
    virtualizer.scrollToIndex(target, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (entries.length === 0) return;
    const target = event.target as HTMLElement;
    const onRow = target.classList.contains('timeline-row');
    const onList = target === scroller.current;
    if (!onRow && !onList) return;
    const current = onRow ? Number(target.dataset.index) : Math.max(0, Math.min(active, entries.length - 1));
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 0) / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (event.key in moves) {
      event.preventDefault();
      const step = moves[event.key] ?? 0;
      moveTo(onList && (event.key === 'ArrowDown' || event.key === 'ArrowUp') ? current : current + step);
      return;
    }
    if (onRow && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      const entry = entries[current];
      if (entry?.type === 'group') toggleGroup(entry.key, current);
      else if (entry) toggle(entry.event.id, current);
    }
  };

  const onScroll = (): void => {
    const top = scroller.current?.scrollTop ?? 0;
    setFollowing(top <= TOP_SLACK);
  };

  const showNew = (): void => {
    view.showPending();
    scroller.current?.scrollTo({ top: 0 });
  };

  if (phase === 'idle' || phase === 'loading') return <TimelineSkeleton size={size} />;
  if (phase === 'error') return <LoadError what="events" message={view.error ?? 'unknown error'} onRetry={view.retry} />;
  if (events.length === 0) return <>{empty}</>;

  const activeRendered = items.some((item) => item.index === active);
  return (
    <div className={`timeline timeline--${size}`}>
      <TimelineHeader showService={showService} />
      <div className="timeline__viewport">
        <NewEventsPill count={view.pendingCount} onShow={showNew} />
        <div
          ref={scroller}
          className="timeline__scroll"
          role="feed"
          aria-label={label}
          aria-busy={view.loadingMore}
          // The list itself is the tab stop while the active row is scrolled out of the DOM.
          tabIndex={activeRendered ? -1 : 0}
          onKeyDown={onKeyDown}
          onScroll={onScroll}
        >
          <div className="timeline__canvas" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const entry = entries[item.index];
              if (entry === undefined) {
                return <TimelineFooter key="footer" view={view} count={timelineCount(events.length, entries)} start={item.start} measure={virtualizer.measureElement} index={item.index} />;
              }
              if (entry.type === 'group') {
                return (
                  <TimelineGroupRow
                    key={entry.key}
                    groupKey={entry.key}
                    fold={entry.fold}
                    events={entry.events}
                    open={entry.open}
                    index={item.index}
                    setSize={hasMore ? -1 : entries.length}
                    start={item.start}
                    active={item.index === active}
                    showService={showService}
                    onToggle={toggleGroup}
                  />
                );
              }
              const { event } = entry;
              return (
                <TimelineRow
                  key={event.id}
                  event={event}
                  ofLoss={ofLosses.has(event.id)}
                  grouped={entry.group !== undefined}
                  index={item.index}
                  setSize={hasMore ? -1 : entries.length}
                  start={item.start}
                  expanded={expanded.has(event.id)}
                  active={item.index === active}
                  showService={showService}
                  idTail={idTails.get(event.service ?? '') ?? MIN_TAIL}
                  measure={virtualizer.measureElement}
                  onToggle={toggle}
                  onFilter={onFilter}
                />
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
