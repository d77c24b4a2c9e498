'use client';

import type { ReactNode } from 'react';
import type { Instance } from '@/lib/model/instance';
import { useNow } from '@/lib/client/useNow';
import { flappingNote } from './flapping-words';

/**
 * A service with a flapping instance (`status/flapping.ts`) says so, with how many changes in how
 * long, in place of `children` (its clean "Recovered at" note): each recovery reads true alone,
 * but one that has not held is no recovery to an on-call engineer.
 */
export function ServiceFlappingNote({ instances, children }: { instances: readonly Instance[]; children?: ReactNode }) {
  const now = useNow();
  const note = now === null ? null : flappingNote(instances, now);
  if (note === null) return children;
  return (
    <p className="service-flapping" role="status">
      <strong>Flapping</strong> — {note}
    </p>
  );
}
