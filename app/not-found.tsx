import Link from 'next/link';
import { EmptyState } from '@/components/ui/EmptyState';

export default function NotFound() {
  return (
    <EmptyState title="Page not found">
      <p>
        <Link href="/services">Back to services</Link>
      </p>
    </EmptyState>
  );
}
