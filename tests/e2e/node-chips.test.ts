import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ReactFlowProvider, type NodeProps } from '@xyflow/react';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFlowNode, ServiceFlowNode } from '@/components/topology/flow';
import { NODE_TYPES } from '@/components/topology/nodes';
import { launchBrowser, openPage } from '../support/browser';

/**
 * A service node's chips in the map's own CSS, at the detail scales the map uses (1, and 1.3 below
 * zoom 0.66, where TopologyCanvas marks the map data-detail-enlarged): every chip drawn ends inside
 * the node's 155 px meta line, with its figure whole, and a "+N" chip stands for those not drawn.
 */
const CSS = ['node_modules/@xyflow/react/dist/style.css', ...['tokens', 'base', 'badges', 'status', 'topology'].map((name) => path.join('app/styles', `${name}.css`))].map((file) => readFileSync(file, 'utf8')).join('\n');

type Data = ServiceFlowNode['data'];
/** A flap that has not ended (`flappingUntil` ahead of now), whenever the test runs. */
const FLAPPING_UNTIL = new Date(Date.now() + 600_000).toISOString();
const base: Data = { name: 'payments', kind: 'service', status: 'warning', instances: 3, drained: 0, lost: 0, lostServing: 0, checking: 0, failing: false, origin: false };
const MIXES: Record<string, Partial<Data>> = {
  'out of discovery, drained and errors': { instances: 3, lost: 1, lostServing: 1, drained: 2, errors: '35% errors' },
  'lost, out of discovery and checking': { instances: 4, lost: 2, lostServing: 1, checking: 2 },
  'lost and errors on 256 instances': { instances: 256, lost: 1, errors: '35% errors' },
  'the whole service left discovery, checking': { status: 'unknown', instances: 3, checking: 3 },
  'all errors, lost and out of discovery': { status: 'critical', instances: 6, lost: 2, lostServing: 1, errors: '100% errors' },
  'all errors and twelve of each stand-in and drained': { status: 'critical', instances: 500, lost: 24, lostServing: 12, checking: 12, drained: 12, errors: '100% errors' },
  'errors and 120 lost': { status: 'critical', instances: 500, lost: 120, errors: '12.5% errors' },
  // Flapping: a green node between failures, and a crash loop through its losses.
  'flapping alone': { status: 'passing', instances: 3, flappingUntil: FLAPPING_UNTIL },
  'errors, out of discovery, flapping and drained': { instances: 3, lost: 1, lostServing: 1, drained: 2, errors: '35% errors', flappingUntil: FLAPPING_UNTIL },
  'all lost and flapping': { status: 'critical', instances: 2, lost: 2, flappingUntil: FLAPPING_UNTIL },
  // A green node between failures with drained instances, and one with a lost instance and no errors: no errors chip to lead.
  'flapping and drained, passing': { status: 'passing', instances: 3, drained: 2, flappingUntil: FLAPPING_UNTIL },
  'lost, flapping and drained, no errors': { status: 'passing', instances: 3, lost: 1, drained: 2, flappingUntil: FLAPPING_UNTIL },
};

function nodeMarkup(data: Data): string {
  const props = { id: `n:${data.name}`, data, type: 'service', selected: false, dragging: false, zIndex: 0, isConnectable: false, positionAbsoluteX: 0, positionAbsoluteY: 0, selectable: true, deletable: false, draggable: true } as unknown as NodeProps<ServiceFlowNode>;
  return renderToStaticMarkup(createElement(ReactFlowProvider, null, createElement(NODE_TYPES.service, props)));
}

/** A collapsed group (224 px box) with critical and warning members counted, flapping and drained ones: a crash loop in a zone. */
const CLUSTER: ClusterFlowNode['data'] = { key: 'eu-west-1', mode: 'zone', members: 12, status: 'critical', passing: 9, warning: 2, critical: 1, unknown: 0, failing: 1, instances: 40, drained: 2, flapping: 3, origin: false };
/** The same group all passing: no counts by status between its member count and its chips ("12 3 flapping"). */
const PASSING_CLUSTER: ClusterFlowNode['data'] = { ...CLUSTER, status: 'passing', passing: 12, warning: 0, critical: 0, failing: 0 };
/** A small green group: "3 services" took the room of its flapping chip at 1.3, "3 services +2" its only sign of trouble. */
const SMALL_PASSING_CLUSTER: ClusterFlowNode['data'] = { ...PASSING_CLUSTER, key: 'eu-west-2', members: 3, passing: 3, instances: 9 };
function clusterMarkup(data: ClusterFlowNode['data']): string {
  const props = { id: `g:${data.key}`, data, type: 'cluster', selected: false, dragging: false, zIndex: 0, isConnectable: false, positionAbsoluteX: 0, positionAbsoluteY: 0, selectable: true, deletable: false, draggable: true } as unknown as NodeProps<ClusterFlowNode>;
  return renderToStaticMarkup(createElement(ReactFlowProvider, null, createElement(NODE_TYPES.cluster, props)));
}

/** Per element of the meta line: its text, how far it ends past the line (> 0: cut), and how far its figure ends past the chip (> 0: cut). */
const measure = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.case')].map((node) => {
      const meta = node.querySelector('.tnode__meta')?.getBoundingClientRect();
      const parts = [...node.querySelectorAll('.tnode__meta > *, .tnode__instances')].filter((part) => part.getClientRects().length > 0).map((part) => {
        const box = part.getBoundingClientRect();
        const figure = part.querySelector('.tnode__figure')?.getBoundingClientRect();
        const words = part.querySelector('.tnode__words');
        /** Its text as drawn: without a screen reader's copy. */
        let text = '';
        const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
        for (let found = walker.nextNode(); found; found = walker.nextNode()) if (!found.parentElement?.closest('.visually-hidden')) text += found.textContent ?? '';
        return {
          text,
          heard: part.querySelector('.visually-hidden')?.textContent ?? '',
          title: part.getAttribute('title') ?? '',
          past: meta && part.closest('.tnode__meta') ? box.right - meta.right : 0,
          figurePast: figure ? figure.right - box.right : 0,
          wordsCut: words ? words.scrollWidth > words.clientWidth + 0.5 : false,
        };
      });
      return { name: node.getAttribute('data-case') ?? '', metaWidth: meta?.width ?? 0, parts };
    }),
  );

describe('a map node’s chips fit its meta line (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchBrowser();
    ({ page } = await openPage(browser, { width: 600, height: 1200, colorScheme: 'light' }));
    const nodes = [1, 1.3].flatMap((scale) =>
      Object.entries(MIXES).map(([name, mix]) => `<div class="case" data-case="${name} @${scale}" style="width:200px;height:56px;margin:8px;--detail-scale:${scale}"${scale > 1 ? ' data-detail-enlarged' : ''}>${nodeMarkup({ ...base, ...mix })}</div>`),
    );
    const clusters = [1, 1.3].flatMap((scale) =>
      Object.entries({ group: CLUSTER, 'passing group': PASSING_CLUSTER, 'small passing group': SMALL_PASSING_CLUSTER }).map(([name, data]) => `<div class="cluster-case" data-case="${name} @${scale}" style="width:224px;height:72px;margin:8px;--detail-scale:${scale}"${scale > 1 ? ' data-detail-enlarged' : ''}>${clusterMarkup(data)}</div>`),
    );
    nodes.push(...clusters);
    await page.setContent(`<html><head><style>${CSS}</style></head><body>${nodes.join('')}</body></html>`);
  });
  afterAll(async () => {
    await browser.close();
  });

  it('ends every chip inside the meta line at scale 1 and 1.3, each figure whole, the errors chip and a lone chip unabridged', async () => {
    const cases = await measure(page);
    expect(cases).toHaveLength(2 * Object.keys(MIXES).length);
    for (const { name, metaWidth, parts } of cases) {
      expect(metaWidth, name).toBeGreaterThan(150);
      for (const part of parts) {
        expect.soft(part.past, `${name}: "${part.text}" ends past the meta line`).toBeLessThanOrEqual(0.5);
        expect.soft(part.figurePast, `${name}: "${part.text}"'s figure is cut`).toBeLessThanOrEqual(0.5);
        if (part.text.endsWith('errors') || parts.length === 1) expect.soft(part.wordsCut, `${name}: "${part.text}" is abridged`).toBe(false);
      }
    }
  });

  it('collapses the chips that do not fit into a "+N" chip whose title names them, so none is dropped unseen', async () => {
    const crowded = (await measure(page)).filter(({ name }) => name.startsWith('all errors and twelve'));
    expect(crowded).toHaveLength(2);
    for (const { name, parts } of crowded) {
      const more = parts.find((part) => /^\+\d+$/.test(part.text));
      const shown = parts.filter((part) => part !== more && !/instances/.test(part.text)).map((part) => part.text);
      const hidden = more?.title.split(', ') ?? [];
      expect(shown.length + hidden.length, `${name}: shown ${shown.join(' · ')}, +N titled "${more?.title ?? ''}"`).toBe(5);
      expect(Number(more?.text.slice(1)), name).toBe(hidden.length);
      // Heard as what it stands for, not "plus 2".
      expect(more?.heard, name).toBe(more?.title);
      for (const words of ['lost', 'out of discovery', 'checking', 'drained']) expect([...shown, ...hidden].some((text) => text.startsWith('12') && text.includes(words)), `${name}: 12 ${words}`).toBe(true);
    }
  });

  it('says "flapping" on a flapping node, whole, or in its "+N" title, and on no other node', async () => {
    for (const { name, parts } of await measure(page)) {
      const said = parts.filter((part) => part.text === 'flapping' || part.title.split(', ').includes('flapping'));
      if (!name.includes('flapping')) {
        expect.soft(said, name).toEqual([]);
        continue;
      }
      expect.soft(said, name).toHaveLength(1);
      const chip = said[0];
      if (chip?.text === 'flapping') {
        expect.soft(chip.wordsCut, `${name}: "flapping" is abridged`).toBe(false);
        expect.soft(chip.title, name).toMatch(/^Flapping: failing and recovering again and again/);
      }
    }
  });

  it('keeps a collapsed group\'s member count and counts by status whole; its flapping and drained chips whole or named in "+N"', async () => {
    const groups = await page.evaluate(() =>
      [...document.querySelectorAll('.cluster-case')].map((node) => {
        const meta = node.querySelector('.tnode__meta')?.getBoundingClientRect();
        const parts = [...node.querySelectorAll('.tnode__meta > *')].filter((part) => part.getClientRects().length > 0).map((part) => {
          const box = part.getBoundingClientRect();
          const words = part.querySelector('.tnode__words');
          /** Its text as drawn (without a screen reader's copy) and as a screen reader hears it (without what is hidden from one). */
          const textOf = (skip: string): string => {
            let said = '';
            const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) if (!node.parentElement?.closest(skip)) said += node.textContent ?? '';
            return said;
          };
          return {
            text: textOf('.visually-hidden'),
            heard: textOf('[aria-hidden="true"]').trim(),
            title: part.getAttribute('title') ?? '',
            isCount: part.classList.contains('tnode__count'),
            // The figure alone, set off by a rule drawn after it (its ::after), not bare.
            rule: getComputedStyle(part, '::after').borderRightStyle === 'solid',
            past: meta ? Math.max(box.right - meta.right, meta.left - box.left) : Infinity,
            // A box that clips (the figure alone draws its rule past its box, clipping nothing).
            cut: (getComputedStyle(part).overflowX !== 'visible' && part.scrollWidth > part.clientWidth + 0.5) || (words ? words.scrollWidth > words.clientWidth + 0.5 : false),
          };
        });
        return { name: node.getAttribute('data-case') ?? '', parts };
      }),
    );
    expect(groups).toHaveLength(6);
    for (const { name, parts } of groups) {
      const members = name.startsWith('small') ? 3 : 12;
      // Nothing on the line cut or past it: "12 services" read "1…" at 1 and "1" at 1.3 once the flapping chip took room.
      for (const part of parts) expect.soft(part.past > 0.5 || part.cut, `${name}: "${part.text}" is cut or past the meta line`).toBe(false);
      // "12 services", or shorter, titled so, where only that leaves room for the chips or "+N": never the bare
      // figure, which beside the chips read "12 3 flapping" (12 what? 123?): "12 svc", or the figure set off by a rule.
      const count = parts[0];
      expect.soft(count?.text, name).toMatch(new RegExp(`^${members}( services| svc)?$`));
      expect.soft(count?.rule, `${name}: "${count?.text ?? ''}" set off by a rule`).toBe(count?.text === String(members));
      if (count?.text !== `${members} services`) expect.soft(count?.title, name).toBe(`${members} services`);
      const passing = name.includes('passing');
      const byStatus = parts.filter((part) => part.isCount);
      expect.soft(byStatus.map((part) => part.text), name).toEqual(passing ? [] : ['1', '2']);
      // A screen reader hears what each figure counts: it heard "12 1 2 3 flapping".
      expect.soft([count, ...byStatus].map((part) => part?.heard), name).toEqual(passing ? [`${members} services`] : ['12 services', '1 critical', '2 warning']);
      const more = parts.find((part) => /^\+\d+$/.test(part.text));
      const hidden = more?.title.split(', ') ?? [];
      expect.soft(Number(more?.text.slice(1) ?? 0), name).toBe(hidden.length);
      // "+2" is heard as what it stands for.
      if (more) expect.soft(more.heard, name).toBe(more.title);
      const flapping = parts.find((part) => part.text === '3 flapping');
      // A green group's flapping chip is its only sign of trouble: drawn, never folded into "+N" for the count's words
      // ("3 services +2" at 1.3). (The 12's at 1.3 has no room beside "+1" even with the figure alone: "+2" names it.)
      if (name.startsWith('small')) expect.soft(flapping, `${name}: 3 flapping drawn, shown ${parts.map((part) => part.text).join(' · ')}`).toBeDefined();
      const said = [...parts.map((part) => part.text), ...hidden];
      for (const chip of ['3 flapping', '2 drained']) expect.soft(said.filter((text) => text === chip), `${name}: ${chip}, shown ${parts.map((part) => part.text).join(' · ')}, +N titled "${more?.title ?? ''}"`).toHaveLength(1);
      if (flapping) expect.soft(flapping.title, name).toMatch(/^3 services flapping\. Flapping: failing and recovering again and again/);
    }
  });

  it('shows how many instances a node with stand-ins has', async () => {
    const counts = (await measure(page)).filter(({ name }) => name.startsWith('lost and errors on 256')).map(({ parts }) => parts.find((part) => /instances/.test(part.text)));
    expect(counts).toHaveLength(2);
    for (const count of counts) expect(count?.text ?? '').toContain('256');
  });
});
