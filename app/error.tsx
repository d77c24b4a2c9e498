'use client';

import { EmptyState } from '@/components/ui/EmptyState';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState title="This page failed to render">
      <p className="muted">{error.digest ? `Error ${error.digest}` : error.message}</p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </EmptyState>
  );
}
