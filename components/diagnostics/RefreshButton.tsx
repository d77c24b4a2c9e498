'use client';

import { useTransition } from 'react';
import { useRouter } from 'next/navigation';

/** Re-renders the server components of the current page. */
export function RefreshButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button type="button" className="button" disabled={pending} onClick={() => startTransition(() => router.refresh())}>
      {pending ? 'Refreshing…' : 'Refresh'}
    </button>
  );
}
