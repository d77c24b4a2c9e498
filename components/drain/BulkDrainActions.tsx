'use client';

import { useState } from 'react';
import type { Instance } from '@/lib/model/instance';
import { useHasRole } from '@/components/shell/MeProvider';
import { bulkValues, type BulkField } from '@/lib/client/drainForm';
import { DrainDialog } from './DrainDialog';
import { useDrainBlocked } from './useDrainBlocked';

/**
 * "Drain zone…" / "Drain version…" for a service: the same dialog, with a zone or version to
 * choose. A button is disabled (and says why) when no instance names a zone or a version. While
 * drains cannot be changed at all (etcd unreachable), that is said once here, in words, for the
 * whole table, whose Drain buttons are disabled too.
 */
export function BulkDrainActions({ service, instances }: { service: string; instances: readonly Instance[] }) {
  const [field, setField] = useState<BulkField | null>(null);
  const mayDrain = useHasRole('operator');
  const blocked = useDrainBlocked();
  const zones = bulkValues(instances, 'zone').length;
  const versions = bulkValues(instances, 'version').length;
  const button = (which: BulkField, count: number, label: string) => (
    <button
      type="button"
      className="button button--small"
      aria-haspopup="dialog"
      disabled={count === 0 || blocked !== null}
      title={blocked ?? (count === 0 ? `No instance of ${service} names a ${which}` : `Drain every instance of ${service} in one ${which}`)}
      onClick={() => setField(which)}
    >
      {label}
    </button>
  );
  if (!mayDrain) return null;
  return (
    <div className="bulk-drain" role="group" aria-label={`Drain many instances of ${service}`}>
      {blocked !== null && (
        <p className="drain-blocked" data-testid="drain-blocked">
          <span aria-hidden="true">⚠ </span>
          {blocked}
        </p>
      )}
      {button('zone', zones, 'Drain zone…')}
      {button('version', versions, 'Drain version…')}
      {field && <DrainDialog target={{ kind: 'bulk', service, field }} instances={instances} onClose={() => setField(null)} onDrained={() => undefined} />}
    </div>
  );
}
