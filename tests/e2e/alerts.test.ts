import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { EventPage } from '@/lib/model/events';
import { startReceiver, type Receiver } from '../support/alertmanager';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually, type TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

/** Set to a directory to keep a screenshot of the page at 1440 and 390 px (for a person to look at). */
const SCREENSHOTS = process.env.SWITCHYARD_SCREENSHOT_DIR;

/** A firing or silenced alert's row in the named section's table. */
const alertRow = (page: Page, table: string, service: string): Locator => page.getByRole('table', { name: table }).locator(`tr[data-service="${service}"]`);

describe('Alerts page in Chromium', () => {
  let stack: BrowserStack;
  let server: TestServer;
  let page: Page;
  let webhook: Receiver;
  const targets = new Map<string, HealthTarget>();

  beforeAll(async () => {
    webhook = await startReceiver();
    for (const name of ['billing', 'search']) targets.set(name, await startHealthTarget());
    stack = await startBrowserStack({
      env: {
        SWITCHYARD_PROBE_INTERVAL_MS: '500',
        SWITCHYARD_ALERT_EVALUATION_MS: '250',
        SWITCHYARD_ALERT_RULES: JSON.stringify({ defaults: { criticalForSeconds: 1 } }),
        SWITCHYARD_ALERT_WEBHOOK_URL: webhook.url,
      },
      before: async (etcd) => {
        for (const [name, target] of targets) await etcd.put(`/services/${name}/${name}-1`, JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
      },
      user: { name: 'e2e-oncall', role: 'operator' },
    });
    ({ server, page } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await webhook?.close();
    for (const target of targets.values()) await target.close();
  });

  const shoot = async (name: string): Promise<void> => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  /** A screenshot of the page at one width and theme (for a person to look at). */
  const shootAt = async (name: string, width: number, theme: 'dark' | 'light'): Promise<void> => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.evaluate((value) => {
      document.documentElement.dataset.theme = value;
    }, theme);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  const webhookServices = (): string[] =>
    webhook.posts.flatMap((post) => (JSON.parse(post.body) as { alerts: { status: string; labels: { service: string } }[] }).alerts.map((alert) => `${alert.status} ${alert.labels.service}`));

  it('shows a firing alert, and a silence set on the page holds the next one from delivery, audited', async () => {
    const services = async () => ((await (await server.fetch('/api/v1/services')).json()) as { services: { name: string; status: string }[] }).services;
    await eventually(async () => ((await services()).every((service) => service.status === 'passing') ? true : undefined), 20_000, 'both services passing');

    targets.get('billing')?.setStatus(503);
    await page.goto(`${server.url}/alerts`);
    await alertRow(page, 'Firing', 'billing').waitFor({ timeout: 30_000 });
    expect(await alertRow(page, 'Firing', 'billing').textContent()).toContain('ServiceCritical');
    await eventually(() => (webhookServices().includes('firing billing') ? true : undefined), 10_000, 'billing sent to the webhook');

    // Acknowledge billing on the page, with a reason: it stays in Firing, marked with who and why.
    await page.getByRole('button', { name: 'Acknowledge ServiceCritical billing' }).click();
    const ackForm = page.getByRole('form', { name: 'Acknowledge ServiceCritical billing' });
    await ackForm.getByLabel('Reason (optional)').fill('restarting the billing pods');
    await ackForm.getByRole('button', { name: 'Acknowledge' }).click();
    const acknowledged = page.getByRole('table', { name: 'Firing' }).locator('tr[data-service="billing"][data-acknowledged="true"]');
    await acknowledged.waitFor({ timeout: 15_000 });
    expect(await acknowledged.textContent()).toMatch(/Acknowledged by e2e-oncall, restarting the billing pods, \d\d:\d\d/);
    await acknowledged.getByRole('button', { name: 'Unacknowledge' }).waitFor();
    const ackAudit = await eventually(async () => ((await (await server.fetch('/api/v1/events?kind=alert.acknowledged')).json()) as EventPage).events[0], 5_000, 'the alert.acknowledged row');
    expect(ackAudit).toMatchObject({ service: 'billing', actor: 'e2e-oncall', detail: 'ServiceCritical acknowledged: restarting the billing pods' });

    // Silence search before it fails: through the form, with a reason.
    const form = page.getByRole('form', { name: 'New silence' });
    await form.getByLabel('Service').fill('search');
    await form.getByLabel('Reason').fill('reindexing tonight');
    await form.getByRole('button', { name: 'Silence' }).click();
    await page.getByRole('table', { name: 'Silence rules' }).locator('tr[data-silence="search"]').waitFor({ timeout: 10_000 });

    targets.get('search')?.setStatus(503);
    await alertRow(page, 'Silenced alerts', 'search').waitFor({ timeout: 30_000 });
    const audit = await eventually(async () => {
      const rows = (await (await server.fetch('/api/v1/events?kind=alert.silenced')).json()) as EventPage;
      return rows.events[0];
    }, 5_000, 'the alert.silenced row');
    expect(audit).toMatchObject({ service: 'search', actor: 'e2e-oncall' });
    expect(audit.detail).toContain('reindexing tonight');
    // Silenced, so never sent: the webhook has billing's notification and nothing for search.
    const snapshot = (await (await server.fetch('/api/v1/alerts')).json()) as { alerts: { labels: { service: string }; state: string; notified: boolean }[] };
    expect(snapshot.alerts.find((alert) => alert.labels.service === 'search')).toMatchObject({ state: 'silenced', notified: false });
    expect(webhookServices().filter((entry) => entry.endsWith(' search'))).toEqual([]);
    await page.setViewportSize({ width: 1440, height: 900 });
    await shoot('alerts-acknowledged');
    expect(stack.errors).toEqual([]);
  });

  // After the test above: billing firing (acknowledged), search silenced, a silence rule, a webhook target.
  it('lays the alerts out as labelled cards below 1024 px, their buttons inside the window, and as tables sharing column edges from 1024 px, the headers kept for screen readers', async () => {
    const tables = ['Firing', 'Silenced alerts', 'Silence rules', 'Delivery targets'];
    /** Each body cell's own text, what its card label says, and its box; and the page's overflow. */
    const cells = (table: string) =>
      page.getByRole('table', { name: table }).locator('tbody td').evaluateAll((found) =>
        found.map((cell) => {
          const box = cell.getBoundingClientRect();
          const label = cell.querySelector('.alerts-table__label');
          const header = cell.closest('table')?.querySelectorAll('thead th')[(cell as HTMLTableCellElement).cellIndex];
          return { header: header?.textContent?.trim() ?? '', label: label && getComputedStyle(label).display !== 'none' ? (label.textContent?.trim() ?? '') : '', left: box.left, right: box.right, width: box.width, buttons: cell.querySelectorAll('button').length };
        }),
      );
    /** The column headers Chromium gives assistive technology, by name (what a screen reader announces for a cell). */
    const axHeaders = async (): Promise<string[]> => {
      const cdp = await page.context().newCDPSession(page);
      try {
        const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { role?: { value?: string }; name?: { value?: string }; ignored?: boolean }[] };
        return nodes.filter((node) => !node.ignored && node.role?.value === 'columnheader').map((node) => node.name?.value ?? '');
      } finally {
        await cdp.detach();
      }
    };
    const headerLefts = (table: string): Promise<number[]> =>
      page.getByRole('table', { name: table }).locator('thead th').evaluateAll((found) => found.slice(0, 5).map((cell) => Math.round(cell.getBoundingClientRect().left)));

    // A card: every field says what it is ("09:00:00 (in 52 min)" alone did not say start or end), nothing past the window.
    await page.setViewportSize({ width: 800, height: 900 });
    for (const table of tables) {
      const found = await cells(table);
      expect(found.length, table).toBeGreaterThan(0);
      for (const cell of found) {
        if (cell.buttons === 0) expect(cell.label, `${table}: the ${cell.header} field at 800 px`).toBe(cell.header);
        expect(cell.left >= 0 && cell.right <= 800, `${table}: the ${cell.header} field inside the window`).toBe(true);
      }
    }
    // A card, not a table squeezed: Why the card's width (it had 6 px as a table at 800).
    const firingWhy = await page.getByRole('table', { name: 'Firing' }).locator('td.alert-why').first().boundingBox();
    expect(firingWhy?.width ?? 0).toBeGreaterThanOrEqual(600);
    for (const button of [alertRow(page, 'Firing', 'billing').getByRole('button', { name: 'Unacknowledge' }), page.getByRole('form', { name: 'New silence' }).getByRole('button', { name: 'Silence' })]) {
      const box = await button.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 800 && box.y + box.height > 0, await button.innerText()).toBe(true);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    // Hidden from sight, the headers still name the cells for a screen reader.
    expect(await axHeaders()).toEqual(expect.arrayContaining(['Alert', 'Service', 'Severity', 'Since', 'Why', 'Reason', 'By', 'Until', 'Channel', 'URL', 'State', 'Last error']));

    // Tables: Firing (with its actions column) above Silenced alerts (without), one set of columns read down the page, Why left room to be read.
    for (const width of [1024, 1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      const firing = await headerLefts('Firing');
      expect(firing.length).toBe(5);
      // Laid out as a table: the headers side by side, left to right (hidden, they all measured 0 and passed).
      for (const [index, left] of firing.entries()) if (index > 0) expect(left, `Firing's column ${index} at ${width} px`).toBeGreaterThan(firing[index - 1] ?? Infinity);
      expect(await headerLefts('Silenced alerts'), `column edges at ${width} px`).toEqual(firing);
      for (const table of ['Firing', 'Silenced alerts']) {
        const why = await page.getByRole('table', { name: table }).locator('td.alert-why').first().boundingBox();
        expect(why?.width ?? 0, `${table}: Why at ${width} px`).toBeGreaterThanOrEqual(240);
        const box = await page.getByRole('table', { name: table }).boundingBox();
        expect((box?.x ?? 0) + (box?.width ?? Infinity), `${table}: right edge at ${width} px`).toBeLessThanOrEqual(width);
      }
      // No card labels beside the headers.
      for (const table of tables) for (const cell of await cells(table)) expect(cell.label, `${table} at ${width} px`).toBe('');
      // Each row's cells are the row's height and their words centred on the row's middle: the silence's
      // service cell, a block (`.truncate`) rather than a cell, sat at the row's top above its neighbours.
      for (const table of tables) {
        const rows = await page.getByRole('table', { name: table }).locator('tbody tr').evaluateAll((found) =>
          found.map((row) => {
            const rowBox = row.getBoundingClientRect();
            return [...row.children].map((cell) => {
              const box = cell.getBoundingClientRect();
              // Its visible words' lines (not a screen reader's text, placed out of sight).
              const text: DOMRect[] = [];
              const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (node.parentElement?.closest('.visually-hidden')) continue;
                const range = document.createRange();
                range.selectNodeContents(node);
                text.push(...[...range.getClientRects()].filter((rect) => rect.width > 0 && rect.height > 0));
              }
              return {
                header: cell.closest('table')?.querySelectorAll('thead th')[(cell as HTMLTableCellElement).cellIndex]?.textContent?.trim() ?? '',
                fills: Math.abs(box.top - rowBox.top) < 0.5 && Math.abs(box.bottom - rowBox.bottom) < 0.5,
                // How far the middle of its words (all their lines) is from the row's.
                offCentre: text.length === 0 ? 0 : (Math.min(...text.map((rect) => rect.top)) + Math.max(...text.map((rect) => rect.bottom))) / 2 - (rowBox.top + rowBox.bottom) / 2,
              };
            });
          }),
        );
        for (const row of rows) {
          for (const { header, fills, offCentre } of row) {
            expect(fills, `${table}: the ${header} cell fills its row at ${width} px`).toBe(true);
            // Within 2 px: a smaller word on a line (the acknowledged mark) moves its line's middle ~1.4 px; the block sat 6.5 px high.
            expect(Math.abs(offCentre), `${table}: the ${header} cell's words off the row's middle at ${width} px`).toBeLessThanOrEqual(2);
          }
        }
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(stack.errors).toEqual([]);
  });

  // Its text inputs were 28.8 px (28 px and their line), its selects 28: the labels sat 0.8 px apart on one line.
  it('draws the silence form’s inputs, selects and button one height, their labels on one line', async () => {
    const form = page.getByRole('form', { name: 'New silence' });
    for (const width of [1440, 800, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const controls = await form.locator('input, select, button').evaluateAll((found) =>
        found.map((control) => {
          const box = control.getBoundingClientRect();
          const label = control.closest('.field')?.querySelector('.field__label')?.getBoundingClientRect();
          return { name: control.getAttribute('name') ?? control.textContent ?? '', height: box.height, bottom: Math.round(box.bottom), labelTop: label?.top };
        }),
      );
      expect(controls.map(({ name }) => name)).toEqual(['service', 'alertname', 'reason', 'duration', 'Silence']);
      for (const { name, height } of controls) expect.soft(height, `${name}'s height at ${width} px`).toBe(28);
      // Controls on one line (the same bottom) have their labels on one line.
      for (const { name, bottom, labelTop } of controls) {
        const beside = controls.find((other) => other.bottom === bottom && other.labelTop !== undefined);
        if (labelTop !== undefined && beside?.labelTop !== undefined) expect.soft(labelTop, `${name}'s label beside ${beside.name}'s at ${width} px`).toBe(beside.labelTop);
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(stack.errors).toEqual([]);
  });

  // A minimum font size (or text-only zoom) raises the controls' 13 px text: in a fixed 28 px height a
  // 24 px line no longer fit and the control cut its glyphs. 28 px is a floor; inputs and selects grow alike.
  it('grows the silence form’s inputs and selects with their text at a 24 px minimum font size: the text whole, all one height', async () => {
    const form = page.getByRole('form', { name: 'New silence' });
    const raised = await page.addStyleTag({ content: '.field__input, .select select { font-size: 24px !important; }' });
    const controls = await form.locator('input, select').evaluateAll((found) =>
      found.map((control) => {
        // A line of its font at its natural height ('normal': the font's ascent and descent).
        const line = document.createElement('span');
        // Longhands: the 'font' shorthand reads '' here (tabular-nums has no place in it).
        const { fontFamily, fontSize, fontStyle, fontWeight } = getComputedStyle(control);
        Object.assign(line.style, { fontFamily, fontSize, fontStyle, fontWeight });
        line.style.lineHeight = 'normal';
        line.textContent = 'Ág';
        document.body.append(line);
        const lineHeight = line.getBoundingClientRect().height;
        line.remove();
        return { name: control.getAttribute('name') ?? '', inside: control.clientHeight, lineHeight, height: control.getBoundingClientRect().height };
      }),
    );
    await raised.evaluate((style) => style.parentNode?.removeChild(style));
    expect(controls.map(({ name }) => name)).toEqual(['service', 'alertname', 'reason', 'duration']);
    for (const { name, inside, lineHeight } of controls) expect.soft(inside, `${name}: room for its 24 px line`).toBeGreaterThanOrEqual(Math.floor(lineHeight));
    expect(new Set(controls.map(({ height }) => height)).size, `heights ${controls.map(({ height }) => height).join(', ')}`).toBe(1);
    expect(stack.errors).toEqual([]);
  });

  // After the tests above: billing firing (critical); ledger gets a warning here. A severity read as the
  // service's status: the same filled pill with the status icon as every status badge, on a row whose
  // service may be passing again. Its word is small (10.5 px): 4.5:1 on its row, hovered too.
  it('draws an alert’s severity as a label, unlike a status badge: outlined in its colour, unfilled, with its word, readable in both themes on a row hovered or not, critical and warning', async () => {
    // One of ledger's two instances stops answering, then its lease ends: InstancesLost, a warning (1 of 2 lost).
    for (const name of ['ledger-1', 'ledger-2']) targets.set(name, await startHealthTarget());
    await stack.etcd.put('/services/ledger/ledger-1', JSON.stringify({ address: targets.get('ledger-1')?.address, health: { http: '/healthz' } }));
    await stack.etcd.put('/services/ledger/ledger-2', JSON.stringify({ address: targets.get('ledger-2')?.address, health: { http: '/healthz' } }), 6);
    const passing = async () => ((await (await server.fetch('/api/v1/services')).json()) as { services: { name: string; status: string }[] }).services.find((service) => service.name === 'ledger')?.status === 'passing';
    await eventually(async () => ((await passing()) ? true : undefined), 20_000, 'ledger passing on both instances');
    await targets.get('ledger-2')?.close();
    targets.delete('ledger-2');
    await page.setViewportSize({ width: 1440, height: 900 });
    await alertRow(page, 'Firing', 'ledger').waitFor({ timeout: 40_000 });
    for (const [service, word] of [
      ['billing', 'critical'],
      ['ledger', 'warning'],
    ] as const) {
      const row = alertRow(page, 'Firing', service);
      const severity = row.locator('td').nth(2);
      for (const theme of ['dark', 'light']) {
        await page.evaluate((name) => {
          document.documentElement.dataset.theme = name;
        }, theme);
        for (const hovered of [false, true]) {
          if (hovered) await row.locator('td').first().hover();
          else await page.mouse.move(0, 0);
          const look = await severity.evaluate((cell, status) => {
            const label = cell.querySelector(':scope > :not(.alerts-table__label)');
            if (!label) return null;
            // A status badge of the same status (the row's word), as the services list and the instance table draw it.
            const badge = document.createElement('span');
            badge.className = `badge badge--${status}`;
            cell.append(badge);
            const badgeBackground = getComputedStyle(badge).backgroundColor;
            badge.remove();
            const style = getComputedStyle(label);
            /** sRGB channels of a computed colour, alpha-composited over `under` when translucent. */
            const rgb = (color: string, under: number[] = [0, 0, 0]): number[] => {
              const [r = 0, g = 0, b = 0, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
              return [r, g, b].map((channel, index) => channel * a + (under[index] ?? 0) * (1 - a));
            };
            const luminance = (channels: number[]): number => {
              const [r = 0, g = 0, b = 0] = channels.map((channel) => {
                const c = channel / 255;
                return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
              });
              return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            };
            // What is under the word: the row's cell (tinted when hovered) over the table.
            const tableBackground = rgb(getComputedStyle(cell.closest('table') ?? cell).backgroundColor);
            const rowBackground = rgb(getComputedStyle(cell).backgroundColor, tableBackground);
            const behind = rgb(style.backgroundColor, rowBackground);
            const [lighter, darker] = [luminance(rgb(style.color, behind)), luminance(behind)].sort((a, b) => b - a);
            return {
              text: label.textContent ?? '',
              filled: style.backgroundColor !== 'rgba(0, 0, 0, 0)' && style.backgroundColor !== 'transparent',
              sameAsBadge: style.backgroundColor === badgeBackground && label.classList.contains('badge'),
              statusIcon: label.querySelector('.status-icon') !== null,
              border: `${style.borderTopWidth} ${style.borderTopStyle} ${style.borderTopColor}`,
              color: style.color,
              radius: parseFloat(style.borderTopLeftRadius),
              rowBackground: rowBackground.map(Math.round).join(','),
              contrast: ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05),
            };
          }, word);
          const what = `${service} (${word}), ${theme}${hovered ? ', hovered' : ''}`;
          expect(look, `${what}: the severity's label`).not.toBeNull();
          expect.soft(look?.text, what).toBe(word);
          expect.soft(look?.filled, `${what}: filled like a status badge`).toBe(false);
          expect.soft(look?.sameAsBadge, what).toBe(false);
          expect.soft(look?.statusIcon, `${what}: a status icon`).toBe(false);
          // Outlined in its severity's colour (the word's colour), a label's corners, not a badge's pill.
          expect.soft(look?.border, what).toBe(`1px solid ${look?.color ?? ''}`);
          expect.soft(look?.radius, what).toBeLessThanOrEqual(4);
          expect.soft(look?.contrast, `${what}: contrast on ${look?.rowBackground ?? ''}`).toBeGreaterThanOrEqual(4.5);
        }
      }
    }
    // The light theme, the warning's row hovered: where its amber was weakest.
    await alertRow(page, 'Firing', 'ledger').locator('td').first().hover();
    await shoot('alerts-severity-light-hovered');
    await page.mouse.move(0, 0);
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'dark';
    });
    expect(stack.errors).toEqual([]);
  });

  // After the test above: ledger firing, not acknowledged. The form's note was a 150 px input in the
  // actions cell's 130 px of room: cut by the cell from 1024 px, its end and the buttons out of reach.
  it('opens the Acknowledge form whole inside its cell, its note typed and shown whole, in both themes at 1024 px and wider', async () => {
    const note = 'restarting ledger-2 after its etcd lease ran out, back by 10:30';
    await page.setViewportSize({ width: 1440, height: 900 });
    await alertRow(page, 'Firing', 'ledger').getByRole('button', { name: /^Acknowledge / }).click();
    const form = page.getByRole('form', { name: /^Acknowledge .* ledger$/ });
    const reason = form.getByLabel('Reason (optional)');
    await reason.fill(note);
    for (const width of [1024, 1280, 1440]) {
      for (const theme of ['dark', 'light']) {
        await page.setViewportSize({ width, height: 900 });
        await page.evaluate((name) => {
          document.documentElement.dataset.theme = name;
        }, theme);
        const what = `${width} px, ${theme}`;
        expect(await reason.inputValue(), what).toBe(note);
        const look = await form.evaluate((found) => {
          const td = found.closest('td');
          const outer = td?.getBoundingClientRect();
          const padding = td ? getComputedStyle(td) : null;
          // Its content box: the form kept off the table's edge as every cell's content is.
          const cell = outer && padding ? { left: outer.left + parseFloat(padding.paddingLeft), right: outer.right - parseFloat(padding.paddingRight) } : null;
          const table = found.closest('table')?.getBoundingClientRect();
          const field = found.querySelector('[name="reason"]');
          const controls = [...found.querySelectorAll('[name="reason"], button')].map((control) => {
            const box = control.getBoundingClientRect();
            // What a click at the control's right end reaches: the control, not what is drawn over it.
            const reached = document.elementFromPoint(box.right - 3, box.top + box.height / 2);
            return { name: control.getAttribute('name') ?? control.textContent ?? '', left: box.left, right: box.right, top: box.top, reachable: reached === control || control.contains(reached) };
          });
          const style = field ? getComputedStyle(field) : null;
          return {
            cell,
            tableRight: table?.right ?? Infinity,
            controls,
            // The note whole: nothing of it scrolled out of sight.
            hidden: field ? { x: field.scrollWidth - field.clientWidth, y: field.scrollHeight - field.clientHeight } : null,
            colors: style ? { color: style.color, background: style.backgroundColor } : null,
          };
        });
        expect(look.cell, what).not.toBeNull();
        expect.soft(look.cell?.right ?? Infinity, `${what}: the actions cell inside the table`).toBeLessThanOrEqual(look.tableRight + 0.5);
        expect(look.controls.map(({ name }) => name), what).toEqual(['reason', 'Acknowledge', 'Cancel']);
        for (const control of look.controls) {
          expect.soft(control.left >= (look.cell?.left ?? 0) - 0.5 && control.right <= (look.cell?.right ?? 0) + 0.5, `${what}: ${control.name} (${control.left}–${control.right}) inside its cell (${look.cell?.left}–${look.cell?.right})`).toBe(true);
          expect.soft(control.reachable, `${what}: ${control.name} reached at its right end`).toBe(true);
        }
        expect.soft(look.hidden, `${what}: the note scrolled out of sight`).toEqual({ x: 0, y: 0 });
        // Acknowledge and Cancel side by side under the note: Cancel took a third line. At 1024 px it still does:
        // a wider actions cell would leave Why less than its 240 px.
        const [, acknowledge, cancel] = look.controls;
        if (width >= 1280) expect.soft(cancel?.top, `${what}: Cancel on Acknowledge's line`).toBe(acknowledge?.top);
        expect.soft(look.colors?.color, `${what}: the note's colour`).not.toBe(look.colors?.background);
        if (theme === 'light') await shootAt(`alerts-ack-form-${width}`, width, 'light');
      }
    }
    await shootAt('alerts-ack-form-1440-dark', 1440, 'dark');
    await shootAt('alerts-ack-form-390', 390, 'dark');
    // The longest note (500 characters, ~25 lines at 1024 px) grows the field to 8 lines, then scrolls in it.
    await page.setViewportSize({ width: 1024, height: 900 });
    await reason.fill('lease ran out '.repeat(36).slice(0, 500));
    const field = await reason.evaluate((found) => ({ height: found.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(found).lineHeight), scrolls: found.scrollHeight > found.clientHeight }));
    expect(field.height).toBeGreaterThan(7 * field.lineHeight);
    expect(field.height).toBeLessThanOrEqual(8 * field.lineHeight + 8);
    expect(field.scrolls).toBe(true);
    await shootAt('alerts-ack-form-1024-long', 1024, 'light');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(stack.errors).toEqual([]);
  });

  // After the test above: ledger firing, not acknowledged. Enter held down submitted again while the
  // first POST was out (requestSubmit() ignores the disabled button): a 409 shown after the ack worked.
  it('acknowledges once on Enter, held down or not; Shift+Enter and the Enter confirming an IME word add no acknowledgement', async () => {
    const posts: string[] = [];
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await page.route('**/api/v1/alerts/acks', async (route) => {
      posts.push(route.request().postData() ?? '');
      // Held until both Enters are in: the second comes while the first is out, as a key repeat's does.
      await answered;
      await route.continue();
    });
    await alertRow(page, 'Firing', 'ledger').getByRole('button', { name: /^Acknowledge / }).click();
    const form = page.getByRole('form', { name: /^Acknowledge .* ledger$/ });
    const reason = form.getByLabel('Reason (optional)');
    await reason.pressSequentially('first line');
    await reason.press('Shift+Enter');
    await reason.pressSequentially('切り替え');
    // Safari's keydown for the Enter that confirms an IME word: after compositionend, so not composing, keyCode 229.
    await reason.evaluate((field) => {
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, bubbles: true, cancelable: true }));
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, keyCode: 229, bubbles: true, cancelable: true }));
    });
    expect(await reason.inputValue()).toBe('first line\n切り替え');
    expect(await form.isVisible()).toBe(true);
    expect(posts).toEqual([]);
    // Enter held down: the keydown and its repeat.
    await reason.press('Enter');
    await page.keyboard.down('Enter');
    await page.keyboard.up('Enter');
    await eventually(() => (posts.length > 0 ? true : undefined), 5_000, 'the acknowledgement posted');
    answer();
    const acknowledged = page.getByRole('table', { name: 'Firing' }).locator('tr[data-service="ledger"][data-acknowledged="true"]');
    await acknowledged.waitFor({ timeout: 15_000 });
    await page.unroute('**/api/v1/alerts/acks');
    expect(posts.map((body) => (JSON.parse(body) as { reason?: string }).reason)).toEqual(['first line\n切り替え']);
    expect(await page.getByRole('alert').filter({ hasText: /acknowledg|409/i }).count()).toBe(0);
    expect(stack.errors).toEqual([]);
  });
});
