import type { Metadata } from 'next';
import { TopologyWithDrain } from '@/components/drain/TopologyWithDrain';
import { getRuntime } from '@/lib/server/runtime';
import { signedIn } from '@/lib/server/auth/page';
import '@xyflow/react/dist/style.css';
import '../styles/topology.css';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Map' };

/** The home page: the fleet as a live map. The services list lives at /services. */
export default async function MapPage() {
  await signedIn();
  return (
    <>
      <h1 className="visually-hidden">Service map</h1>
      {/* The map, with drain controls in its side panel (components/drain). */}
      <TopologyWithDrain initialObserved={getRuntime().latency.edges()} />
    </>
  );
}
