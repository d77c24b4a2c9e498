import { pathSegment } from '@/lib/model/path-segment';

/** Link to a service page. */
export function servicePath(name: string): string {
  return `/services/${pathSegment(name)}`;
}
