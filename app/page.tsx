import { ServicesView } from '@/components/services/ServicesView';

export const dynamic = 'force-dynamic';

export default function ServicesPage() {
  return (
    <>
      <h1 className="visually-hidden">Services</h1>
      <ServicesView />
    </>
  );
}
