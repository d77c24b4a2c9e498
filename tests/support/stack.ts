import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from './browser';
import { startEtcd, type TestEtcd } from './etcd';
import { startServer, type TestServer } from './server';

export interface BrowserStack {
  etcd: TestEtcd;
  server: TestServer;
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions seen by `page`. */
  errors: string[];
  stop(): Promise<void>;
}

/** The whole product for an end-to-end test: a real etcd, the real server, real Chromium. */
export async function startBrowserStack(options: { env?: Record<string, string>; before?: (etcd: TestEtcd) => Promise<void> } = {}): Promise<BrowserStack> {
  const etcd = await startEtcd();
  await options.before?.(etcd);
  const server = await startServer({ etcdEndpoints: etcd.endpoints, ...(options.env ? { env: options.env } : {}) });
  const browser = await launchBrowser();
  const { page, errors } = await openPage(browser);
  return {
    etcd,
    server,
    browser,
    page,
    errors,
    async stop() {
      await browser.close();
      await server.stop();
      await etcd.stop();
    },
  };
}
