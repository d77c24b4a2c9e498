import type { Metadata } from 'next';
import { ServiceView } from '@/components/instances/ServiceView';
import { ServiceHistory } from '@/components/history/ServiceHistory';
import { signedIn } from '@/lib/server/auth/page';
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

export default async function ServicePage({ params }: Props) {
  await signedIn();
  const name = decodeSegment((await params).service);
  return (
    <>
      <ServiceView key={name} name={name} />
      <ServiceHistory key={`history:${name}`} service={name} />
    </>
  );
}
