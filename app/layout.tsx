import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { THEME_SCRIPT } from '@/lib/client/themeScript';
import { scriptNonce } from '@/lib/server/auth/page';
import './styles/tokens.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/controls.css';
import './styles/table.css';
import './styles/badges.css';
import './styles/drain.css';
import './styles/status.css';

// Every page is rendered per request: the CSP nonce differs each time and pages check the session.
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

/** The document shell only: the console's live state is in app/(console)/layout.tsx, behind sign-in. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = await scriptNonce();
  return (
    // The theme script sets data-theme before hydration.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce}>{THEME_SCRIPT}</script>
      </head>
      <body>{children}</body>
    </html>
  );
}
