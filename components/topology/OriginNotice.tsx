import type { ReactNode } from 'react';
import { describeOrigin, leadingOrigin, type ProbableOrigin } from '@/lib/model/topology/graph';
import { describeSharedDeparture, sharedDepartureHeadline, type SharedDeparture } from '@/lib/model/topology/shared-departure';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { utcClock } from '@/lib/model/status/clock';

const MAX_OTHERS = 3;

/**
 * Where the failures probably start, in one line: the leading origin by name (`leadingOrigin`: a
 * current one before one that recovered), why (`describeOrigin`),
 * the others (one that recovered saying so and when: bare, it read as failing now), and `action`
 * (what the page offers to look at it). When most of the fleet left etcd
 * together (`departure`), that is said in place of any origin, with no action: no service is the
 * cause. The map's headline and the Alerts page's are this one line, so they always say the same.
 * Red, but amber when the origin it leads with recovered (so has every other): its callers still
 * fail, so not the muted grey of the origin's own mark, but the fault is over, so not a failure's red.
 */
export function OriginBanner({
  origins,
  departure,
  className,
  action,
}: {
  origins: readonly ProbableOrigin[];
  departure: SharedDeparture | null;
  className: string;
  action: ReactNode;
}) {
  const local = useLocalTimes();
  const first = leadingOrigin(origins);
  if (departure) {
    return (
      <BannerFrame className={className}>
        <p className="torigin__text">
          <strong>{sharedDepartureHeadline(departure)}.</strong> {local(describeSharedDeparture(departure), departure.at)}.
        </p>
      </BannerFrame>
    );
  }
  if (!first) return null;
  const others = origins.filter((origin) => origin.id !== first.id && !first.peers.includes(origin.id));
  const shown = others.slice(0, MAX_OTHERS);
  // "payments, recovered at …" holds a comma of its own: names are then kept apart by semicolons.
  const separator = shown.some((origin) => origin.recoveredAt !== undefined) ? '; ' : ', ';
  return (
    <BannerFrame className={first.recoveredAt !== undefined ? `${className} ${className}--recovered` : className}>
      <p className="torigin__text">
        <strong>Likely origin: {first.recoveredAt !== undefined ? `${first.id}, recovered` : first.id}.</strong> {local(describeOrigin(first), first.recoveredAt)}.
        {others.length > 0 &&
          ` Also: ${shown.map((origin) => (origin.recoveredAt !== undefined ? local(`${origin.id}, recovered at ${utcClock(origin.recoveredAt)}`, origin.recoveredAt) : origin.id)).join(separator)}${others.length > MAX_OTHERS ? ` and ${others.length - MAX_OTHERS} more` : ''}.`}
      </p>
      {action}
    </BannerFrame>
  );
}

function BannerFrame({ className, children }: { className: string; children: ReactNode }) {
  return (
    <div className={className} role="status" aria-live="polite">
      <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
        <circle cx="6" cy="6" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
        <circle cx="6" cy="6" r="1.8" fill="currentColor" />
      </svg>
      {children}
    </div>
  );
}

/** The map's headline during an outage: where the failures probably start, and a button centring it. */
export function OriginNotice({ origins, departure, onShow }: { origins: ProbableOrigin[]; departure: SharedDeparture | null; onShow(id: string): void }) {
  const first = leadingOrigin(origins);
  return (
    <OriginBanner
      origins={origins}
      departure={departure}
      className="torigin"
      action={
        first && (
          <button type="button" className="button" onClick={() => onShow(first.id)}>
            Show
          </button>
        )
      }
    />
  );
}
