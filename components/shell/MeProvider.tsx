'use client';

import { createContext, useContext, type ReactNode } from 'react';
import type { Me } from '@/lib/model/auth';
import { roleAtLeast, type Role } from '@/lib/model/roles';

const MeContext = createContext<Me | null>(null);

/** Who is signed in, from the console layout's session check, for controls that depend on the role. */
export function MeProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): Me | null {
  return useContext(MeContext);
}

/** Controls the server would refuse are not offered (the server checks again regardless). */
export function useHasRole(need: Role): boolean {
  const me = useMe();
  return me !== null && roleAtLeast(me.role, need);
}
