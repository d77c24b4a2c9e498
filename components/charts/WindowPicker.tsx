'use client';

import { Segmented } from '@/components/ui/Segmented';
import { WindowSchema, type LatencyWindow } from '@/lib/model/latency';

const FULL_NAMES: Record<LatencyWindow, string> = {
  '5m': 'Last 5 minutes',
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
};

/** The chart window: a segmented control (radio group; arrows, Home/End move the choice). */
export function WindowPicker({ value, onChange }: { value: LatencyWindow; onChange: (window: LatencyWindow) => void }) {
  return <Segmented label="Time window" options={WindowSchema.options} value={value} onChange={onChange} titles={FULL_NAMES} />;
}
