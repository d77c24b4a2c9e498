'use client';

import { useEffect, useState } from 'react';
import { serverNow } from './serverClock';

/** Whether `deadline` (epoch ms) is still ahead: true until it passes, with one timer rather than a ticking clock; false for null. */
export function useBefore(deadline: number | null): boolean {
  const [passed, setPassed] = useState<number | null>(null);
  useEffect(() => {
    if (deadline === null) return;
    const timer = setTimeout(() => setPassed(deadline), Math.max(0, deadline - serverNow()));
    return () => clearTimeout(timer);
  }, [deadline]);
  return deadline !== null && passed !== deadline;
}
