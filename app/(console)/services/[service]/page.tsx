import type { Metadata } from 'next';
import { ServiceView } from '@/components/instances/ServiceView';
import { ServiceHistory } from '@/components/history/ServiceHistory';
import { instanceMetadataPatches } from '@/lib/model/rsc-metadata';
import { signedInWith } from '@/lib/server/auth/page';
import '../../../styles/charts.css';
import '../../../styles/history.css';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ service: string }> };

// Measured on Next 16.4: the page receives the segment still percent-encoded (on full loads and
// client navigations alike) while generateMetadata receives it decoded. tests/e2e covers both
// with a name containing `%25`, so a change in Next shows up as a failing test.
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).service };
}

/** A malformed escape (only reachable by hand-typed URLs) is taken literally. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Rendered with this one service's instances (not the fleet's), so the page shows them at once. */
export default async function ServicePage({ params }: Props) {
  const { runtime } = await signedInWith();
  const name = decodeSegment((await params).service);
  const initial = runtime.store.serviceSnapshot(name);
  return (
    <>
      <ServiceView key={name} name={name} initial={initial} metadataPatches={instanceMetadataPatches(initial.instances)} />
      <ServiceHistory key={`history:${name}`} service={name} />
    </>
  );
}
