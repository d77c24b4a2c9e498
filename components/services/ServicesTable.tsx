'use client';

import { Fragment, useCallback, useLayoutEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { defaultRangeExtractor, useWindowVirtualizer, type Range } from '@tanstack/react-virtual';
import type { LikelyOrigin } from '@/lib/client/useLikelyOrigins';
import { tailsForNamesCached } from '@/lib/model/middle-ellipsis';
import { defaultDirection, type ServiceQuery, type ListedService, type SortKey } from '@/lib/model/filter';
import { ServiceRow, showsCause } from './ServiceRow';
import { SortHeader } from './SortHeader';

/** A row without a cause (px). */
const ROW_HEIGHT = 31;
/** A row with a one-line cause under its status (px); longer causes are measured. */
const ROW_WITH_CAUSE_HEIGHT = 47;
/** Lists this short render every row, as before virtualisation (the browser's find works on them). */
const RENDER_ALL_UP_TO = 150;
const OVERSCAN = 12;
/** Header row + data rows: what `aria-rowcount` counts. */
const HEADER_ROWS = 1;

interface Props {
  rows: readonly ListedService[];
  query: ServiceQuery;
  onChange: (patch: Partial<ServiceQuery>) => void;
  /** Services that are likely origins of the current failures, by name. */
  origins: ReadonlyMap<string, LikelyOrigin>;
}

/**
 * The services table, virtualised against the window scroll so the page, its sticky header and
 * the column layout stay those of a plain table: only the rows in view (plus overscan) exist, with
 * spacer rows standing for the rest. Screen readers get the real row count (`aria-rowcount`,
 * `aria-rowindex`). Keyboard: ↑/↓/PgUp/PgDn/Home/End move between the rows' links.
 */
export function ServicesTable({ rows, query, onChange, origins }: Props) {
  const table = useRef<HTMLTableElement>(null);
  const focusNext = useRef<number | null>(null);
  const [tableTop, setTableTop] = useState(0);
  // The row holding keyboard focus stays rendered while scrolled away, so focus is not dropped.
  const [focused, setFocused] = useState<number | null>(null);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (focused === null || focused >= range.count || indexes.includes(focused)) return indexes;
      return [...indexes, focused].sort((a, b) => a - b);
    },
    [focused],
  );
  const onSort = (sort: SortKey) =>
    onChange(
      sort === query.sort
        ? { direction: query.direction === 'asc' ? 'desc' : 'asc' }
        : { sort, direction: defaultDirection(sort) },
    );
  // A name is cut at its end, unless it shares a long start with another (lib/model/middle-ellipsis); worked out again only when the names change.
  const tailsOf = useMemo(() => tailsForNamesCached(), []);
  const nameTails = useMemo(() => tailsOf(rows.map((row) => row.name)), [rows, tailsOf]);

  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    // Close estimates keep the scrollbar steady as rows are measured (a jump under the thumb otherwise).
    estimateSize: (index) => (rows[index] && showsCause(rows[index]) ? ROW_WITH_CAUSE_HEIGHT : ROW_HEIGHT),
    overscan: rows.length <= RENDER_ALL_UP_TO ? rows.length : OVERSCAN,
    // Row offsets count from the table's top on the page (below the header and toolbar).
    scrollMargin: tableTop,
    getItemKey: (index) => rows[index]?.name ?? index,
    rangeExtractor,
  });
  const items = virtualizer.getVirtualItems();
  const margin = virtualizer.options.scrollMargin;
  const after = Math.max(0, virtualizer.getTotalSize() - ((items[items.length - 1]?.end ?? margin) - margin));

  // The toolbar above can change height (a new facet, a narrower window): keep the table's page
  // offset current, so spacer heights and scroll positions line up.
  useLayoutEffect(() => {
    const measureTop = (): void => setTableTop(Math.round((table.current?.getBoundingClientRect().top ?? 0) + window.scrollY));
    measureTop();
    window.addEventListener('resize', measureTop);
    return () => window.removeEventListener('resize', measureTop);
  }, [rows, query]);

  // Keyboard moves focus to a row that may only exist after the virtualizer rendered it.
  useLayoutEffect(() => {
    const index = focusNext.current;
    if (index === null) return;
    const link = table.current?.querySelector<HTMLElement>(`tr[data-index="${index}"] a`);
    if (link) {
      focusNext.current = null;
      link.focus({ preventScroll: true });
    }
  });

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>): void => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('tr[data-index]');
    if (!row || event.altKey || event.ctrlKey || event.metaKey) return;
    const current = Number(row.dataset.index);
    const page = Math.max(1, Math.floor(window.innerHeight / ROW_HEIGHT) - 3);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    const step = moves[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const target = Math.max(0, Math.min(rows.length - 1, current + step));
    focusNext.current = target;
    virtualizer.scrollToIndex(target, { align: 'auto' });
  };

  const onFocus = (event: FocusEvent<HTMLTableSectionElement>): void => {
    const row = (event.target as HTMLElement).closest<HTMLElement>('tr[data-index]');
    setFocused(row ? Number(row.dataset.index) : null);
  };
  const onBlur = (event: FocusEvent<HTMLTableSectionElement>): void => {
    if (!(event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget))) setFocused(null);
  };

  const header = { current: query.sort, direction: query.direction, onSort };
  return (
    <table ref={table} className="table table--services" aria-rowcount={rows.length + HEADER_ROWS}>
      <caption className="visually-hidden">Services (status sorts worst first)</caption>
      <colgroup>
        <col />
        <col className="col-status" />
        <col className="col-count" />
        <col className="col-formats detail-column" />
        <col className="col-versions detail-column" />
        <col className="col-zones detail-column" />
      </colgroup>
      <thead>
        <tr aria-rowindex={1}>
          <SortHeader label="Service" sortKey="name" {...header} />
          <SortHeader label="Status" sortKey="status" {...header} />
          <SortHeader label="Instances" sortKey="instances" className="num" {...header} />
          <th scope="col" className="detail-column">
            Formats
          </th>
          <th scope="col" className="detail-column">
            Versions
          </th>
          <th scope="col" className="detail-column">
            Zones
          </th>
        </tr>
      </thead>
      <tbody onKeyDown={onKeyDown} onFocus={onFocus} onBlur={onBlur}>
        {items.map((item, position) => {
          const summary = rows[item.index];
          if (summary === undefined) return null;
          // A spacer for the rows between this one and the previous rendered one (or the top).
          const gap = item.start - (items[position - 1]?.end ?? margin);
          return (
            <Fragment key={summary.name}>
              {gap > 0 && <Spacer height={gap} />}
              <ServiceRow
                summary={summary}
                nameTail={nameTails.get(summary.name) ?? 0}
                index={item.index}
                rowIndex={item.index + HEADER_ROWS + 1}
                measure={virtualizer.measureElement}
                origin={origins.get(summary.name)}
              />
            </Fragment>
          );
        })}
        {after > 0 && <Spacer height={after} />}
      </tbody>
    </table>
  );
}

/**
 * Stands for the rows scrolled out of the DOM, so the scrollbar and sticky header stay true. One
 * cell, no colSpan: a span over the detail columns a phone hides would give them width back.
 */
function Spacer({ height }: { height: number }) {
  return (
    <tr className="virtual-spacer" aria-hidden="true">
      <td style={{ height }} />
    </tr>
  );
}
