import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openPages } from './browser';

const screenshots = path.resolve(import.meta.dirname, '../../test-results/failed');
/** Enough of a page's accessibility tree to see what it showed, not a 500-row table. */
const MAX_SNAPSHOT_CHARS = 4_000;

const slug = (name: string): string => name.replace(/[^\w-]+/g, '-').slice(0, 80);

/**
 * When an end-to-end test fails (a first attempt too, which a passing retry would otherwise hide),
 * every page it has open is reported: its URL, any open dialog and the start of its
 * accessibility tree in the log, a screenshot in test-results/failed/. A flake is found from what
 * the page showed when it failed.
 */
afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail') return;
  const pages = openPages();
  if (pages.length === 0) return;
  await mkdir(screenshots, { recursive: true });
  const attempt = task.result.retryCount ?? 0;
  const reports: string[] = [];
  for (const [index, page] of pages.entries()) {
    const file = path.join(screenshots, `${slug(task.name)}-${attempt}-${index}.png`);
    const lines = [`page ${index} at ${page.url()} (screenshot ${path.relative(process.cwd(), file)})`];
    try {
      await page.screenshot({ path: file, timeout: 5_000 });
      for (const dialog of await page.getByRole('dialog').all()) lines.push(`open dialog:\n${await dialog.ariaSnapshot({ timeout: 2_000 })}`);
      const tree = await page.locator('body').ariaSnapshot({ timeout: 5_000 });
      lines.push(tree.length > MAX_SNAPSHOT_CHARS ? `${tree.slice(0, MAX_SNAPSHOT_CHARS)}\n… (${tree.length} characters)` : tree);
    } catch (error) {
      lines.push(`could not be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    reports.push(lines.join('\n'));
  }
  console.log(`"${task.name}" failed (attempt ${attempt + 1}); what its pages showed:\n${reports.join('\n\n')}`);
});
