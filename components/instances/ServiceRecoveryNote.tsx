import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { utcClock } from '@/lib/model/status/clock';

/**
 * A service that recovered lately says when, and what that moment is: its last failing instance
 * passing again (docs/ARCHITECTURE "Recovered at"), the same moment its incident ends and its alerts
 * resolve. The edges into it weigh their last 30 s or minute of calls, so they can stay red a little
 * longer: said here, so the two do not read as two recoveries.
 */
export function ServiceRecoveryNote({ recoveredAt }: { recoveredAt: string }) {
  const local = useLocalTimes();
  return (
    <p className="service-recovery" role="status">
      <strong>Recovered at {local(utcClock(recoveredAt), recoveredAt)}</strong>: its last failing instance passed again. Its incident ended and its alerts
      resolved at that moment; the edges into it on the map stay red until their last 10 s of calls are clean.
    </p>
  );
}
