import Link from 'next/link';
import type { LikelyCause } from '@/lib/model/topology/likely-cause';
import { servicePath } from '@/lib/client/routes';
import { leadingOrigin } from '@/lib/model/topology/graph';
import { OriginBanner } from '../topology/OriginNotice';

/**
 * The Alerts page's headline during a cascade: the map's likely origin, in the map's words, so the
 * engineer landing here among N firing alerts knows which to look at first; a registered service
 * links to its page. When most of the fleet left etcd together, that instead, as on the map.
 */
export function AlertsOrigin({ cause: { origins, departure } }: { cause: LikelyCause }) {
  const first = leadingOrigin(origins);
  return (
    <OriginBanner
      origins={origins}
      departure={departure}
      className="alerts-origin"
      action={
        first?.kind === 'service' && (
          <Link className="button" href={servicePath(first.id)}>
            Open {first.id}
          </Link>
        )
      }
    />
  );
}
