import type { Instance } from '@/lib/model/instance';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { ClientTime } from '../ui/ClientTime';
import { DismissLost } from './DismissLost';
import { lostDownSince, standInHeading, standInKind } from '@/lib/model/status/lost';

/** The line under a lost instance's row: since when, why, and how it ends. Nothing when not lost. */
export function LostRow({ instance, columns }: { instance: Instance; columns: number }) {
  const { lost } = instance;
  const local = useLocalTimes();
  if (!lost) return null;
  if (lost.checking) {
    return (
      <tr className="lost-row lost-row--checking">
        <td colSpan={columns}>
          <div className="lost-note">
            <span className="lost-note__text">
              <strong>Left discovery</strong> at <ClientTime at={lost.at} fallback={lost.at} /> while its probes passed: checking whether it still serves. Answering
              twice, 10 s apart, it shows as out of discovery; otherwise it was shut down and goes from the list.
            </span>
          </div>
        </td>
      </tr>
    );
  }
  const downSince = lostDownSince(instance) ?? lost.at;
  return (
    <tr className={lost.stillServing ? 'lost-row lost-row--unlisted' : 'lost-row'}>
      <td colSpan={columns}>
        <div className="lost-note">
          <span className="lost-note__text">
            {/* Critical since it went down, as its status and alerts say (not when its key went, nor its first failed probe: its cause names both as such). */}
            <strong>{standInHeading(standInKind(lost))}</strong>, critical since <ClientTime at={downSince} fallback={downSince} />: {local(lost.cause, lost.at)}.{' '}
            {lost.stillServing ? 'Its process runs, but no client finds it: check its connection to etcd.' : 'Its process looks gone.'} It stays listed until it
            registers again (same id or address), someone dismisses it, or the retention ends.
          </span>
          <DismissLost instance={instance} />
        </div>
      </td>
    </tr>
  );
}
