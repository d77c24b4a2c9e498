import type { Metadata } from 'next';
import { AlertsView } from '@/components/alerts/AlertsView';
import { signedIn } from '@/lib/server/auth/page';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Alerts' };

export default async function AlertsPage() {
  await signedIn();
  const runtime = getRuntime();
  const services = runtime.store.snapshot().services.map((service) => service.name);
  return <AlertsView initial={runtime.alerts.snapshot()} services={services} />;
}
