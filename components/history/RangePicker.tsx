'use client';

import { RANGE_PRESET_NAMES, RANGE_PRESETS, type HistoryFilters, type HistoryRange } from '@/lib/model/history-query';
import { fromLocalInput, toLocalInput } from './format';
import { Segmented } from '@/components/ui/Segmented';
import { serverNow } from '@/lib/client/serverClock';

const OPTIONS: readonly HistoryRange[] = [...RANGE_PRESET_NAMES, 'custom'];
const TITLES: Record<HistoryRange, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom range',
};

type Range = Pick<HistoryFilters, 'range' | 'since' | 'until'>;

interface Props {
  value: Range;
  onChange: (range: Range) => void;
  /** The chosen preset was clicked again: fix "last N" at now again. */
  onRefresh: () => void;
}

/** Presets (last 1 h/24 h/7 d/30 d, relative to now) or a custom from/to in local time. */
export function RangePicker({ value, onChange, onRefresh }: Props) {
  const choose = (range: HistoryRange): void => {
    if (range !== 'custom') return onChange({ range, since: '', until: '' });
    // From the preset in use, so "custom" starts where the reader was.
    const lookback = value.range === 'custom' ? RANGE_PRESETS['24h'] : RANGE_PRESETS[value.range];
    onChange({ range, since: new Date(serverNow() - lookback).toISOString(), until: '' });
  };
  return (
    <div className="range-picker">
      <Segmented label="Time range" options={OPTIONS} value={value.range} titles={TITLES} onChange={choose} onReselect={onRefresh} />
      {value.range === 'custom' && (
        <>
          <label className="range-picker__field">
            <span>From</span>
            <input type="datetime-local" value={toLocalInput(value.since)} onChange={(event) => onChange({ ...value, since: fromLocalInput(event.target.value) })} />
          </label>
          <label className="range-picker__field">
            <span>To</span>
            <input type="datetime-local" value={toLocalInput(value.until)} onChange={(event) => onChange({ ...value, until: fromLocalInput(event.target.value) })} />
          </label>
        </>
      )}
    </div>
  );
}
