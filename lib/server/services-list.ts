import type { Snapshot } from '@/lib/model/live';
import { serviceMatchesSearch } from '@/lib/model/filter';
import { pageByName, ServicePageQuerySchema, ServiceSearchQuerySchema } from '@/lib/model/service-page';
import { json, noStore, validationError } from './http';
import { snapshotJson } from './snapshot-bodies';

/**
 * `GET /api/v1/services`: the whole list as in v1, or with `?limit=` one page of it plus
 * `nextCursor` and a `Link: <…>; rel="next"` header (absent on the last page). `?search=` keeps
 * the services matching it by name, instance id, address or metadata value (the console's services
 * list asks this, since the browser holds summaries, not instances).
 */
export function servicesListResponse(url: URL, snapshot: Pick<Snapshot, 'revision' | 'services'>): Response {
  const params = Object.fromEntries(url.searchParams);
  const parsed = ServicePageQuerySchema.safeParse(params);
  if (!parsed.success) return validationError(parsed.error);
  const searched = ServiceSearchQuerySchema.safeParse(params);
  if (!searched.success) return validationError(searched.error);
  const { search } = searched.data;
  const services = search === undefined ? snapshot.services : snapshot.services.filter((service) => serviceMatchesSearch(service, search));
  if (parsed.data === undefined) return search === undefined ? snapshotJson(snapshot, 'services', () => ({ revision: snapshot.revision, services })) : json({ revision: snapshot.revision, services });
  const { limit } = parsed.data;
  const page = pageByName(services, parsed.data);
  const body = { revision: snapshot.revision, services: page.items, nextCursor: page.nextCursor };
  if (page.nextCursor === null) return json(body);
  // The cursor is base64url: safe in a query and inside <…> without escaping.
  const next = `${url.pathname}?limit=${limit}&cursor=${page.nextCursor}${search === undefined ? '' : `&search=${encodeURIComponent(search)}`}`;
  return Response.json(body, { headers: { ...noStore, link: `<${next}>; rel="next"` } });
}
