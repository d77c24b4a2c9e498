import type { Browser, Page } from 'playwright-core';
import { addSessionCookie, launchBrowser, openPage } from './browser';
import { startEtcd, type TestEtcd } from './etcd';
import { ADMIN_PASSWORD, startServer, type TestServer } from './server';

export interface BrowserStack {
  etcd: TestEtcd;
  server: TestServer;
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions seen by `page`. */
  errors: string[];
  /** Another page in a context of its own, signed in as the stack's user: tests that must not share `page`. */
  freshPage(options?: Parameters<typeof openPage>[1]): Promise<{ page: Page; errors: string[] }>;
  stop(): Promise<void>;
}

/** Puts a session cookie from `server.login`/`userSession` into the page's browser context. */
export async function useSession(page: Page, server: TestServer, cookie: string): Promise<void> {
  await page.context().clearCookies();
  await addSessionCookie(page.context(), server.url, cookie);
}

/**
 * The whole product for an end-to-end test: a real etcd, the real server, real Chromium, signed
 * in as the admin, or as a new user with the given name and role.
 */
export async function startBrowserStack(
  options: { env?: Record<string, string>; before?: (etcd: TestEtcd) => Promise<void>; user?: { name: string; role: 'viewer' | 'operator' | 'admin' } } = {},
): Promise<BrowserStack> {
  const etcd = await startEtcd();
  await options.before?.(etcd);
  const server = await startServer({ etcdEndpoints: etcd.endpoints, ...(options.env ? { env: options.env } : {}) });
  const browser = await launchBrowser();
  const { page, errors } = await openPage(browser);
  const cookie = options.user ? await server.userSession(options.user.name, options.user.role) : await server.login('admin', ADMIN_PASSWORD);
  await useSession(page, server, cookie);
  return {
    etcd,
    server,
    browser,
    page,
    errors,
    async freshPage(options) {
      const opened = await openPage(browser, options);
      await useSession(opened.page, server, cookie);
      return opened;
    },
    async stop() {
      await browser.close();
      await server.stop();
      await etcd.stop();
    },
  };
}
