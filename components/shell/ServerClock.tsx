'use client';

import { useState } from 'react';
import { learnServerClock } from '@/lib/client/serverClock';

/**
 * Hands the browser the server's time when the page was rendered (lib/client/serverClock.ts).
 * Learned while rendering, before the components after it first read the clock.
 */
export function ServerClock({ at }: { at: number }) {
  useState(() => {
    if (typeof window !== 'undefined') learnServerClock(at);
    return null;
  });
  return null;
}
