import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { getRuntime } from '@/lib/server/runtime';
import { THEME_SCRIPT } from '@/lib/client/themeScript';
import { LiveProvider } from '@/components/live/LiveProvider';
import { AppHeader } from '@/components/shell/AppHeader';
import { LiveBanner } from '@/components/shell/LiveBanner';
import './styles/tokens.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/controls.css';
import './styles/table.css';
import './styles/badges.css';
import './styles/drain.css';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Switchyard', template: '%s · Switchyard' },
  description: 'Live registry of the microservices registered in etcd',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: dark)', color: '#0e1014' },
    { media: '(prefers-color-scheme: light)', color: '#f6f7f9' },
  ],
};

/**
 * The live state lives here, above every page, so client navigation keeps one socket and one
 * state; the snapshot is rendered on the server with the first request.
 */
export default function RootLayout({ children }: { children: ReactNode }) {
  const snapshot = getRuntime().store.snapshot();
  return (
    // The theme script sets data-theme before hydration.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script>{THEME_SCRIPT}</script>
      </head>
      <body>
        <LiveProvider initial={snapshot}>
          <AppHeader />
          <LiveBanner />
          <main className="main">{children}</main>
        </LiveProvider>
      </body>
    </html>
  );
}
