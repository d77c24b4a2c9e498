import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { lossCause } from '@/lib/model/status/lost';
import { launchBrowser } from '../support/browser';
import { openStatusCells, STATUS_COLUMNS, statusCellsDrawn } from '../support/rendered-layout';

/**
 * A flapping instance's status cell in the instance table's CSS, in its Status column's width at each
 * window range (as status-cell-stand-in.test.ts): the "flapping" mark whole beside its badge, a passing
 * one on one line, and a failing one's cause under them when it does not fit beside them. At 641–799 px
 * (120 px inside the column) badge and mark (70 + 68 px) do not share a line: the mark goes under the
 * badge, a line more.
 */
// Changes this recent flap for 10 min from now, whenever the test runs.
const now = Date.now();
const criticalChangesMs = [now - 60_000, now - 40_000, now - 20_000];
const lost: NonNullable<Instance['lost']> = { at: new Date(now - 30_000).toISOString(), cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused', passingBefore: 2 };
type Facts = Pick<Instance, 'status' | 'statusCause' | 'lost' | 'criticalChangesMs'>;
const CASES: Record<string, { facts: Facts; lines: number }> = {
  passing: { facts: { status: 'passing', statusCause: 'probe OK', criticalChangesMs }, lines: 1 },
  'critical, HTTP 503': { facts: { status: 'critical', statusCause: 'HTTP 503', criticalChangesMs }, lines: 2 },
  'critical, refused': { facts: { status: 'critical', statusCause: 'connect ECONNREFUSED 10.244.123.201:50051', criticalChangesMs }, lines: 2 },
  lost: { facts: { status: 'critical', statusCause: lossCause(lost), lost, criticalChangesMs }, lines: 3 },
};

describe('a flapping instance’s status cell: marked beside its badge, nothing cut (Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it.each(STATUS_COLUMNS)('at %i px (Status %i px): the mark and the status word whole, passing on one line, failing on two (a stand-in three)', async (window, column) => {
    const page = await openStatusCells(browser, window, column, Object.entries(CASES).map(([name, { facts }]) => [name, facts]));
    const marks = await page.evaluate(() =>
      [...document.querySelectorAll('.case')].map((element) => {
        const mark = element.querySelector('.flapping-mark');
        const markWhole = mark !== null && mark.scrollWidth <= mark.clientWidth + 0.5 && mark.getBoundingClientRect().right <= element.getBoundingClientRect().right + 0.5;
        const cause = element.querySelector('.status-cell__cause');
        const causeShown = cause === null || getComputedStyle(cause).display === 'none' ? null : cause.getBoundingClientRect().width;
        return { markWhole, causeShown };
      }),
    );
    // Both lists are the cases in order; a case missing from the second reads as not drawn.
    const measured = (await statusCellsDrawn(page)).map((drawn, index) => ({ ...drawn, ...(marks[index] ?? { markWhole: false, causeShown: null }) }));
    expect(measured).toHaveLength(Object.keys(CASES).length);
    for (const { name, lines, markWhole, wordShown, causeShown } of measured) {
      expect.soft(markWhole, `${name}: the flapping mark is not drawn whole`).toBe(true);
      expect.soft(wordShown, `${name}: its status word is not drawn whole`).toBe(true);
      expect.soft(lines, `${name}: lines`).toBeLessThanOrEqual((CASES[name]?.lines ?? 0) + (column < 160 && name !== 'lost' ? 1 : 0));
      // A failing cause that does not fit beside badge and mark goes under them, with the column's width.
      if (causeShown !== null && name !== 'passing') expect.soft(causeShown, `${name}: the cause's width`).toBeGreaterThanOrEqual(Math.min(column - 20, 60));
    }
    await page.context().close();
  });
});
