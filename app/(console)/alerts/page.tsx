import type { Metadata } from 'next';
import { AlertsView } from '@/components/alerts/AlertsView';
import { signedInWith } from '@/lib/server/auth/page';
import '../../styles/auth.css';
import '../../styles/alerts.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Alerts' };

export default async function AlertsPage() {
  const { runtime } = await signedInWith();
  const services = runtime.store.snapshot().services.map((service) => service.name);
  return <AlertsView initial={runtime.alerts.snapshot()} services={services} />;
}
