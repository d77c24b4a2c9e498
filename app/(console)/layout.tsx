import type { ReactNode } from 'react';
import { LiveProvider } from '@/components/live/LiveProvider';
import { AppHeader } from '@/components/shell/AppHeader';
import { LiveBanner } from '@/components/shell/LiveBanner';
import { MeProvider } from '@/components/shell/MeProvider';
import { ServerClock } from '@/components/shell/ServerClock';
import { signedInWith } from '@/lib/server/auth/page';

/**
 * The summary view lives here, above every console page, so client navigation keeps one socket and
 * one state; the summaries (no instances: ~200 bytes a service) are rendered on the server with the
 * first request — only once the session is checked.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { principal, runtime } = await signedInWith();
  const summaries = runtime.store.summarySnapshot();
  const me = { name: principal.name, role: principal.role, kind: principal.kind };
  return (
    <MeProvider me={me}>
      <ServerClock at={Date.now()} />
      <LiveProvider initial={summaries}>
        <AppHeader me={me} />
        <LiveBanner />
        <main className="main">{children}</main>
      </LiveProvider>
    </MeProvider>
  );
}
