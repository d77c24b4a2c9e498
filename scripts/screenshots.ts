// `npm run screenshots`: starts the real demo (etcd, fleet, dashboard) and saves the README's
// screenshots from headless Chromium into docs/screenshots/. Needs a build (npm run build).
import path from 'node:path';
import { launchDemo } from '../demo/launch';
import { addSessionCookie, launchBrowser } from '../tests/support/browser';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'docs', 'screenshots');
/**
 * Probes settle and ingest draws charts and edges; the payments outage starts at 25 s (the demo lets
 * the dashboard see a healthy fleet first) and its instances are lost after their 10 s lease.
 */
const WARM_UP_MS = 40_000;

const SHOTS = [
  { file: 'topology.png', path: '/' },
  { file: 'alerts.png', path: '/alerts' },
  { file: 'services.png', path: '/services' },
  { file: 'service.png', path: '/services/orders' },
  { file: 'history.png', path: '/history' },
  { file: 'incidents.png', path: '/history?view=incidents' },
  { file: 'access.png', path: '/access' },
];

async function main(): Promise<void> {
  const demo = await launchDemo(['--scenario', 'service-down', '--target', 'payments']);
  try {
    console.log(`demo at ${demo.url}; warming up ${WARM_UP_MS / 1_000} s`);
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${demo.url}/login`, { waitUntil: 'networkidle' });
      await page.screenshot({ path: path.join(out, 'login.png') });
      await addSessionCookie(context, demo.url, demo.cookie);
      for (const shot of SHOTS) {
        await page.goto(`${demo.url}${shot.path}`, { waitUntil: 'networkidle' });
        await page.waitForTimeout(2_500);
        await page.screenshot({ path: path.join(out, shot.file) });
        console.log(`saved docs/screenshots/${shot.file}`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    await demo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
