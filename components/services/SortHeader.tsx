import type { SortDirection, SortKey } from '@/lib/model/filter';

interface Props {
  label: string;
  sortKey: SortKey;
  current: SortKey;
  direction: SortDirection;
  className?: string;
  onSort: (key: SortKey) => void;
}

export function SortHeader({ label, sortKey, current, direction, className, onSort }: Props) {
  const active = sortKey === current;
  return (
    <th scope="col" className={className} aria-sort={active ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" className={active ? 'sort is-active' : 'sort'} onClick={() => onSort(sortKey)}>
        {label}
        <span className="sort__arrow" aria-hidden="true">
          {active ? (direction === 'asc' ? '▲' : '▼') : '▲'}
        </span>
      </button>
    </th>
  );
}
