import Link from 'next/link';
import type { Me } from '@/lib/model/auth';
import { ConnectionIndicator } from './ConnectionIndicator';
import { FleetCounts } from './FleetCounts';
import { NavLinks } from './NavLinks';
import { ThemeToggle } from './ThemeToggle';
import { UserMenu } from './UserMenu';

export function AppHeader({ me }: { me: Me }) {
  return (
    <header className="app-header">
      <Link href="/" className="brand" aria-label="Switchyard">
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
          <path d="M2 4h5l3 4h4M2 12h5l3-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span className="brand__name">Switchyard</span>
      </Link>
      <NavLinks />
      <div className="app-header__spacer" />
      <FleetCounts />
      <ConnectionIndicator />
      <ThemeToggle />
      <UserMenu me={me} />
    </header>
  );
}
