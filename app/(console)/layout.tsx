import type { ReactNode } from 'react';
import { LiveProvider } from '@/components/live/LiveProvider';
import { AppHeader } from '@/components/shell/AppHeader';
import { LiveBanner } from '@/components/shell/LiveBanner';
import { MeProvider } from '@/components/shell/MeProvider';
import { protoMetadataPatches } from '@/lib/model/rsc-metadata';
import { signedInWith } from '@/lib/server/auth/page';

/**
 * The live state lives here, above every console page, so client navigation keeps one socket and
 * one state; the snapshot is rendered on the server with the first request — only once the
 * session is checked.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { principal, runtime } = await signedInWith();
  const snapshot = runtime.store.snapshot();
  const me = { name: principal.name, role: principal.role, kind: principal.kind };
  return (
    <MeProvider me={me}>
      <LiveProvider initial={snapshot} metadataPatches={protoMetadataPatches(snapshot)}>
        <AppHeader me={me} />
        <LiveBanner />
        <main className="main">{children}</main>
      </LiveProvider>
    </MeProvider>
  );
}
