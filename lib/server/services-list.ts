import type { Snapshot } from '@/lib/model/live';
import { pageByName, ServicePageQuerySchema } from '@/lib/model/service-page';
import { json, noStore, validationError } from './http';

/**
 * `GET /api/v1/services`: the whole list as in v1, or with `?limit=` one page of it plus
 * `nextCursor` and a `Link: <…>; rel="next"` header (absent on the last page).
 */
export function servicesListResponse(url: URL, snapshot: Pick<Snapshot, 'revision' | 'services'>): Response {
  const parsed = ServicePageQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) return validationError(parsed.error);
  if (parsed.data === undefined) return json({ revision: snapshot.revision, services: snapshot.services });
  const { limit } = parsed.data;
  const page = pageByName(snapshot.services, parsed.data);
  const body = { revision: snapshot.revision, services: page.items, nextCursor: page.nextCursor };
  if (page.nextCursor === null) return json(body);
  // The cursor is base64url: safe in a query and inside <…> without escaping.
  const next = `${url.pathname}?limit=${limit}&cursor=${page.nextCursor}`;
  return Response.json(body, { headers: { ...noStore, link: `<${next}>; rel="next"` } });
}
