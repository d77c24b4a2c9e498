'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { LockoutsView } from '@/lib/model/auth';
import { accessCall } from '@/lib/client/accessApi';

/** Addresses whose password sign-ins are paused (too many failures), each with a way to lift the pause now. Shown only while there are any. */
export function PausedAddressesSection({ addresses }: { addresses: LockoutsView['addresses'] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (addresses.length === 0) return null;

  const clear = async (address: string) => {
    setBusy(true);
    const result = await accessCall('DELETE', `/api/v1/auth/lockouts?${new URLSearchParams({ address })}`);
    setBusy(false);
    setError(result.ok ? null : result.message);
    router.refresh();
  };

  return (
    <section className="section" aria-labelledby="paused-title">
      <h2 className="section__title" id="paused-title">
        Paused addresses
      </h2>
      <p className="section__intro">
        Password sign-in from these addresses is paused after 20 failures in 10 minutes, for every account. API tokens, single sign-on and other
        addresses still work. Clear a pause once you know who was guessing.
      </p>
      {error && (
        <p className="form-alert form-alert--error" role="alert">
          {error}
        </p>
      )}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Paused for</th>
            <th scope="col" className="col-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {addresses.map(({ address, retryAfterSeconds }) => (
            <tr key={address}>
              <td className="mono">{address}</td>
              <td>{Math.ceil(retryAfterSeconds / 60)} min more</td>
              <td className="access__actions">
                <button type="button" className="button button--small" disabled={busy} onClick={() => void clear(address)}>
                  Clear pause
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
