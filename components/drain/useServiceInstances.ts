'use client';

import type { Instance } from '@/lib/model/instance';
import { useServiceView } from '@/lib/client/liveViews';

const NONE: readonly Instance[] = [];

/** A service's instances as its live view has them now (the same array while it is unchanged). */
export function useServiceInstances(service: string): readonly Instance[] {
  return useServiceView(service).service?.instances ?? NONE;
}
