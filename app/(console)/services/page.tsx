import type { Metadata } from 'next';
import { ServicesView } from '@/components/services/ServicesView';
import { signedIn } from '@/lib/server/auth/page';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Services' };

export default async function ServicesPage() {
  await signedIn();
  return (
    <>
      <h1 className="visually-hidden">Services</h1>
      <ServicesView />
    </>
  );
}
