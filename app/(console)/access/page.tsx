import type { Metadata } from 'next';
import { AccountSection } from '@/components/auth/AccountSection';
import { PausedAddressesSection } from '@/components/auth/PausedAddressesSection';
import { TokensSection } from '@/components/auth/TokensSection';
import { UsersSection } from '@/components/auth/UsersSection';
import { administers } from '@/lib/model/auth';
import { signedInWith } from '@/lib/server/auth/page';
import { isDatabaseUnreachable } from '@/lib/server/history/unreachable';
import '../../styles/auth.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Access' };

/** Everyone: their own account. Admins: users and API tokens too. */
export default async function AccessPage() {
  const { principal, runtime } = await signedInWith();
  const admin = administers(principal);
  const { auth, store } = runtime;
  // A session still let in from memory while the database is unreachable sees its account, and why the lists are missing (null).
  const lists = admin
    ? await Promise.all([auth.users.list(), auth.tokens.list(), auth.lockouts.list()]).catch((error: unknown) => {
        if (!isDatabaseUnreachable(error)) throw error;
        runtime.database.unreachable(error);
        return null;
      })
    : undefined;
  const services = admin ? store.snapshot().services.map((service) => service.name) : [];
  return (
    <div className="access">
      <div className="page-header">
        <h1 className="page-title">{admin ? 'Access' : 'Your account'}</h1>
      </div>
      <AccountSection me={{ name: principal.name, role: principal.role, kind: principal.kind }} />
      {lists === null && (
        <p className="form-alert form-alert--error" role="alert">
          Users, API tokens and paused addresses are kept in Switchyard’s database, which is unreachable right now. Reload in a few seconds.
        </p>
      )}
      {lists && <UsersSection users={lists[0]} self={principal.name} />}
      {lists && <PausedAddressesSection addresses={lists[2].addresses} />}
      {lists && <TokensSection tokens={lists[1]} services={services} />}
    </div>
  );
}
