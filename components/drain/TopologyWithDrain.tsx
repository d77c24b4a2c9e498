'use client';

import { TopologyView, type TopologyViewProps } from '../topology/TopologyView';
import { topologyDrainControls } from './InstanceDrainControls';

/** The map with drain controls in its side panel; a client component, since the slot is a function. */
export function TopologyWithDrain(props: Omit<TopologyViewProps, 'drainControls'>) {
  return <TopologyView {...props} drainControls={topologyDrainControls} />;
}
