'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Map', matches: (path: string) => path === '/' },
  { href: '/services', label: 'Services', matches: (path: string) => path === '/services' || path.startsWith('/services/') },
  { href: '/alerts', label: 'Alerts', matches: (path: string) => path.startsWith('/alerts') },
  { href: '/history', label: 'History', matches: (path: string) => path.startsWith('/history') },
  { href: '/diagnostics', label: 'Diagnostics', matches: (path: string) => path.startsWith('/diagnostics') },
];

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav className="nav" aria-label="Main">
      {LINKS.map((link) => {
        const active = link.matches(pathname);
        return (
          <Link key={link.href} href={link.href} className={active ? 'nav__link is-active' : 'nav__link'} aria-current={active ? 'page' : undefined}>
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
