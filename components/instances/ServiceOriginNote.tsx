import Link from 'next/link';
import type { LikelyOrigin } from '@/lib/client/useLikelyOrigins';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { utcClock } from '@/lib/model/status/clock';
import type { Status } from '@/lib/model/instance';
import { originRecovery } from '@/lib/model/topology/graph';

const MAX_NAMES = 5;

/** A node by name: a registered service links to its page; a database, queue or unregistered callee says what it is. */
function NodeName({ origin, name }: { origin?: LikelyOrigin; name: string }) {
  if (origin && origin.kind !== 'service') return <strong>{`${name} (${origin.kind === 'unknown' ? 'not registered' : origin.kind})`}</strong>;
  return (
    <Link href={`/services/${encodeURIComponent(name)}`}>
      <strong>{name}</strong>
    </Link>
  );
}

function NameList({ names, origins }: { names: string[]; origins: LikelyOrigin[] }) {
  const shown = names.slice(0, MAX_NAMES);
  return (
    <>
      {shown.map((name, index) => (
        <span key={name}>
          {index > 0 && ', '}
          <NodeName name={name} origin={origins.find((origin) => origin.id === name)} />
        </span>
      ))}
      {names.length > shown.length && ` and ${names.length - shown.length} more`}
    </>
  );
}

/**
 * Where a failing service's failure probably starts, on its own page: the map's likely-origin
 * analysis (the deepest failing dependency), so the page of a service failing because of another
 * says which, and the origin's page says whom it takes down.
 */
export function ServiceOriginNote({ service, origins, status, recoveredAt: liveRecoveredAt }: { service: string; origins: LikelyOrigin[]; status: Status; recoveredAt?: string | undefined }) {
  const local = useLocalTimes();
  const own = origins.find((origin) => origin.id === service);
  if (own && own.explains.length > 0) {
    const count = own.explains.length;
    // The origins come from a 5 s poll, the status is live: the page's status decides, as the services list's row does.
    const { recovered, at: recoveredAt } = originRecovery(status, liveRecoveredAt, own);
    // The subject first: "Likely origin of this failure: 2 failing services depend on it — a, b" was
    // read at a glance as naming a and b the origin.
    const whom = recovered
      ? `${recoveredAt !== undefined ? `, recovered at ${local(utcClock(recoveredAt), recoveredAt)}` : ''}: ${count === 1 ? 'a service that depends on it is' : `${count} services that depend on it are`} still clearing its errors`
      : `: ${count === 1 ? 'a failing service depends' : `${count} failing services depend`} on it`;
    return (
      <p className={recovered ? 'service-origin service-origin--recovered' : 'service-origin'} role="note">
        <strong>
          {service} {recovered ? 'was' : 'is'} the likely origin
        </strong>{' '}
        of this failure{whom}
        {' — '}
        <NameList names={own.explains} origins={origins} />.
      </p>
    );
  }
  const causes = origins.filter((origin) => origin.explains.includes(service) || origin.peers.includes(service));
  if (causes.length === 0) return null;
  const single = causes.length === 1 ? causes[0] : undefined;
  return (
    <p className="service-origin" role="note">
      Probably failing because of <NameList names={causes.map((origin) => origin.id)} origins={origins} /> ({single ? 'the likely origin' : 'likely origins'})
      {single?.recoveredAt !== undefined ? `: ${single.id} recovered at ${local(utcClock(single.recoveredAt), single.recoveredAt)}, and this service is still clearing its errors` : ''}.
    </p>
  );
}
