'use client';

import { TopologyView } from '../topology/TopologyView';
import { topologyDrainControls } from './InstanceDrainControls';

/** The map with drain controls in its side panel; a client component, since the slot is a function. */
export function TopologyWithDrain() {
  return <TopologyView drainControls={topologyDrainControls} />;
}
