import type { Metadata } from 'next';
import { AlertsView } from '@/components/alerts/AlertsView';
import { signedInWith } from '@/lib/server/auth/page';
import { fleetLikelyCause } from '@/lib/server/likely-cause';
import '../../styles/auth.css';
import '../../styles/alerts.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Alerts' };

export default async function AlertsPage() {
  const { runtime } = await signedInWith();
  const summaries = runtime.store.summarySnapshot();
  // Whenever the map names one, alerting or not yet (a fleet that left etcd is checked before anything fires).
  const cause = fleetLikelyCause(summaries, () => runtime.latency.edges(), Date.now());
  const services = summaries.services.map((summary) => summary.name);
  return <AlertsView initial={runtime.alerts.snapshot()} services={services} cause={cause} />;
}
