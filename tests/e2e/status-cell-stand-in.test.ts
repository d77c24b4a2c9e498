import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lost } from '@/lib/model/instance';
import { checkingCause, lossCause, stillServingCause } from '@/lib/model/status/lost';
import { launchBrowser } from '../support/browser';
import { openStatusCells, STATUS_COLUMNS, statusCellsDrawn } from '../support/rendered-layout';

/**
 * A stand-in's status cell in the instance table's CSS, in its Status column's width at each window
 * range (content width: the column less its 2 × 10 px padding): the tag beside the badge left the
 * cause 10 px at 1280–1599 px ('l…'), and below 1000 px such rows took three lines. Below 1000 px
 * 120–160 px do not hold 'lease expired at 09:32:41'; the row's lost line under it gives the cause whole,
 * and the cell leaves it to that line, so badge and tag keep their words (the tag had read 'ou…' at 641 px).
 */
const at = '2026-12-06T09:32:31.000Z';
const removedAt = '2026-12-06T09:32:41.000Z';
const STAND_INS: Record<string, { status: 'critical' | 'unknown'; lost: Lost }> = {
  'out of discovery': { status: 'critical', lost: { at, cause: stillServingCause({ lease: 'gone', removedAt }, 20), passingBefore: 2, stillServing: true } },
  lost: { status: 'critical', lost: { at, cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused', passingBefore: 2 } },
  checking: { status: 'unknown', lost: { at, cause: checkingCause(removedAt), passingBefore: 2, checking: true } },
};

describe('a stand-in’s status cell: its cause readable beside its tag (Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it.each(STATUS_COLUMNS)('at %i px (Status %i px): at most two lines, its status and its tag in words whole, and the cause’s time whole from 1000 px', async (window, column) => {
    const page = await openStatusCells(browser, window, column, Object.entries(STAND_INS).map(([name, { status, lost }]) => [name, { status, statusCause: lost.checking ? lost.cause : lossCause(lost), lost }]));
    const causesAndTags = await page.evaluate(() =>
      [...document.querySelectorAll('.case')].map((element) => {
        const cause = element.querySelector('.status-cell__cause');
        // How far "… at 09:32:41" (the cause's first time) ends past where the ellipsis begins (≤ 0: whole).
        let timePast = Infinity;
        const text = cause?.firstChild;
        const context = document.createElement('canvas').getContext('2d');
        if (cause && text && context) {
          const style = getComputedStyle(cause);
          context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const range = document.createRange();
          range.setStart(text, 0);
          range.setEnd(text, (cause.textContent ?? '').search(/\d\d:\d\d:\d\d/) + 8);
          const cut = cause.scrollWidth > cause.clientWidth ? context.measureText('…').width : 0;
          timePast = range.getBoundingClientRect().right - (cause.getBoundingClientRect().right - cut);
        }
        const tag = element.querySelector('.tag');
        // Its words whole: at 641 px it read 'ou…' for 'out of discovery' (the title alone said it).
        const tagWhole = tag !== null && tag.scrollWidth <= tag.clientWidth + 0.5 && tag.getBoundingClientRect().right <= element.getBoundingClientRect().right + 0.5;
        return { timePast, tagShown: tag ? tag.getBoundingClientRect().width : 0, tagWhole, tagText: tag?.textContent ?? '' };
      }),
    );
    // Both lists are the cases in order; a case missing from the second reads as not drawn.
    const measured = (await statusCellsDrawn(page)).map(({ wordShown, badgeFontPx, ...drawn }, index) => ({
      ...drawn,
      // The badge's word ("Critical") drawn whole: the row is amber and the tag says the stand-in, so nothing else says its status.
      wordShown: wordShown && badgeFontPx >= 10,
      ...(causesAndTags[index] ?? { timePast: Infinity, tagShown: 0, tagWhole: false, tagText: '' }),
    }));
    expect(measured).toHaveLength(3);
    for (const { name, lines, timePast, wordShown, word, tagShown, tagWhole, tagText } of measured) {
      expect.soft(lines, `${name}: lines`).toBeLessThanOrEqual(2);
      expect.soft(wordShown, `${name}: its status word "${word}" is not drawn whole`).toBe(true);
      expect.soft(tagShown, `${name}: its tag`).toBeGreaterThan(30);
      expect.soft(tagWhole, `${name}: its tag "${tagText}" is not drawn whole`).toBe(true);
      if (window >= 1000) expect.soft(timePast, `${name}: the cause's time is cut`).toBeLessThanOrEqual(0);
    }
    await page.context().close();
  });
});
