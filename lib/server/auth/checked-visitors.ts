import { randomUUID } from 'node:crypto';
import type { Principal } from '@/lib/model/auth';
import { authenticate } from './guard';
import type { HeaderSource } from './cookies';
import { headerOf } from './cookies';
import type { Auth } from './service';

/** The request header naming a page request's check made ahead of Next (server.ts overwrites any a client sent). */
export const CHECKED_HEADER = 'x-switchyard-checked';

/**
 * Page requests whose credentials server.ts already checked during a database outage, by a random
 * id it puts in the request's `CHECKED_HEADER`, until the response is done. With a database that
 * drops packets a check waits out the connect timeout (10 s) before the fallback answers; the page
 * asking again doubled a page load to ~20 s.
 */
export interface CheckedVisitors {
  /** Keeps `principal` for the request, names it in its headers; returns what forgets it. */
  keep(headers: Record<string, string | string[] | undefined>, principal: Principal | null): () => void;
  /** What was kept for the request these headers name, or undefined when nothing was. */
  get(headers: HeaderSource): Principal | null | undefined;
}

export function createCheckedVisitors(): CheckedVisitors {
  const checked = new Map<string, Principal | null>();
  return {
    keep(headers, principal) {
      const id = randomUUID();
      checked.set(id, principal);
      headers[CHECKED_HEADER] = id;
      return () => void checked.delete(id);
    },
    get(headers) {
      const id = headerOf(headers, CHECKED_HEADER);
      return id === undefined ? undefined : checked.get(id);
    },
  };
}

/** Who a page request comes from: as checked ahead of Next if it was, else asked now. */
export async function pageVisitor(auth: Auth, checked: CheckedVisitors, headers: HeaderSource, secure: boolean): Promise<Principal | null> {
  const kept = checked.get(headers);
  return kept !== undefined ? kept : authenticate(auth, headers, secure);
}
