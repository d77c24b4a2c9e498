import type { Metadata } from 'next';
import { ServicesView } from '@/components/services/ServicesView';
import { exampleRegistrationPut } from '@/lib/model/registration-example';
import { signedInWith } from '@/lib/server/auth/page';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Services' };

export default async function ServicesPage() {
  const { runtime } = await signedInWith();
  return (
    <>
      <h1 className="visually-hidden">Services</h1>
      <ServicesView examplePut={exampleRegistrationPut(runtime.etcdEndpoints, runtime.config.SWITCHYARD_PREFIXES ?? [], 'users', 'u-1')} />
    </>
  );
}
