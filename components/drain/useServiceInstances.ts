'use client';

import type { Instance } from '@/lib/model/instance';
import { serviceFrom } from '@/lib/client/liveServices';
import { useLive } from '../live/LiveProvider';

const NONE: readonly Instance[] = [];

/** A service's instances as the live state has them now (the same array while it is unchanged). */
export function useServiceInstances(service: string): readonly Instance[] {
  const { state } = useLive();
  const instances = state.services.get(service);
  return instances ? serviceFrom(service, instances).instances : NONE;
}
