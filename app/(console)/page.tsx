import type { Metadata } from 'next';
import { TopologyWithDrain } from '@/components/drain/TopologyWithDrain';
import { exampleRegistrationPut } from '@/lib/model/registration-example';
import { signedInWith } from '@/lib/server/auth/page';
import '@xyflow/react/dist/style.css';
import '../styles/topology.css';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Map' };

/** A layout still running (the fleet just changed) is worth a short wait: the browser would take longer. */
const LAYOUT_PATIENCE_MS = 1_000;

/** The home page: the fleet as a live map. The services list lives at /services. */
export default async function MapPage() {
  const { runtime } = await signedInWith();
  const layout = await runtime.topologyLayout.settled(LAYOUT_PATIENCE_MS);
  return (
    <>
      <h1 className="visually-hidden">Service map</h1>
      {/* The map, with drain controls in its side panel (components/drain). */}
      <TopologyWithDrain
        initialObserved={runtime.latency.edges()}
        examplePut={exampleRegistrationPut(runtime.etcdEndpoints, runtime.config.SWITCHYARD_PREFIXES ?? [], 'users', 'u-1')}
        {...(layout ? { initialLayout: layout } : {})}
      />
    </>
  );
}
