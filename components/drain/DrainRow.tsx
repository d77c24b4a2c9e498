import type { Instance } from '@/lib/model/instance';
import { drainStateOf } from '@/lib/client/drainForm';
import { DrainNote } from './DrainNote';

/** The line under a drained instance's row: state, who, why, until when. Nothing when not drained. */
export function DrainRow({ instance, columns }: { instance: Instance; columns: number }) {
  const state = drainStateOf(instance);
  if (instance.drain === null || state === null) return null;
  return (
    <tr className="drain-row" data-drain-state={state}>
      <td colSpan={columns}>
        <span className="visually-hidden">Drain of {instance.id}: </span>
        <DrainNote drain={instance.drain} state={state} />
      </td>
    </tr>
  );
}
