import type { Metadata } from 'next';
import { AccountSection } from '@/components/auth/AccountSection';
import { PausedAddressesSection } from '@/components/auth/PausedAddressesSection';
import { TokensSection } from '@/components/auth/TokensSection';
import { UsersSection } from '@/components/auth/UsersSection';
import { signedInWith } from '@/lib/server/auth/page';
import '../../styles/auth.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Access' };

/** Everyone: their own account. Admins: users and API tokens too. */
export default async function AccessPage() {
  const { principal, runtime } = await signedInWith();
  const admin = principal.role === 'admin';
  const { auth, store } = runtime;
  const [users, tokens, lockouts] = admin ? await Promise.all([auth.users.list(), auth.tokens.list(), auth.lockouts.list()]) : [[], [], undefined];
  const services = admin ? store.snapshot().services.map((service) => service.name) : [];
  return (
    <div className="access">
      <div className="page-header">
        <h1 className="page-title">{admin ? 'Access' : 'Your account'}</h1>
      </div>
      <AccountSection me={{ name: principal.name, role: principal.role, kind: principal.kind }} />
      {admin && <UsersSection users={users} self={principal.name} />}
      {lockouts && <PausedAddressesSection addresses={lockouts.addresses} />}
      {admin && <TokensSection tokens={tokens} services={services} />}
    </div>
  );
}
