import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Lost } from '@/lib/model/instance';
import { lossCause, standInClauses, standInKind, stillServingCause } from '@/lib/model/status/lost';
import { eventLabel } from './history/format';
import { StatusCell } from './instances/StatusCell';
import { lostChips } from './topology/flow';
import { TopologyLegend } from './topology/TopologyLegend';
import { PanelStandInChip } from './topology/TopologyPanel';

const at = '2026-12-06T09:32:31.000Z';
const STAND_INS: Record<'lost' | 'unlisted' | 'checking', Lost> = {
  lost: { at, cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC', passingBefore: 2 },
  unlisted: { at, cause: stillServingCause({ lease: 'gone', removedAt: '2026-12-06T09:32:41.000Z' }, 20), passingBefore: 2, stillServing: true },
  checking: { at, cause: 'left discovery at 09:32:41 UTC while its probes passed — checking whether it still serves', passingBefore: 2, checking: true },
};

/** The text of each element of `markup` whose class list has `className`. */
function textsOf(markup: string, className: string): string[] {
  const pattern = new RegExp(`<span class="[^"]*\\b${className}\\b[^"]*"[^>]*>([^<]*)</span>`, 'g');
  return [...markup.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** A chip's or clause's words without the count before them: "2 lost", "all 3 instances lost", "its instance lost" → "lost". */
const withoutCount = (text: string): string => text.replace(/^(its instance |all \d+ instances |all \d+ |\d+ )/, '');

describe('a stand-in reads the same on every screen', () => {
  it.each(Object.entries(STAND_INS))('%s: the map chips, the panel chip, the legend, the instance tag and History say the service header’s words', (kind, lost) => {
    expect(standInKind(lost)).toBe(kind);
    // The service page's header: "1 out of discovery", from the model's words.
    const [clause] = standInClauses([{ lost }]);
    expect(clause).toBeDefined();
    const words = withoutCount(clause ?? '');
    // A chip or tag beside a count or a cause may say the words' last clause alone ("checking"), never other words.
    const allowed = new Set([words, words.split(', ').at(-1)]);

    // lostChips(confirmed losses, of them still serving, every instance a stand-in, being checked): one beside others, and all of them.
    const chipsFor = (count: number, all: boolean) => lostChips(lost.checking ? 0 : count, lost.stillServing ? count : 0, all, lost.checking ? count : 0);
    const mapChips = [...chipsFor(1, false), ...chipsFor(2, true)];
    expect(mapChips.map((chip) => chip.kind)).toEqual([kind, kind]);
    for (const chip of mapChips) expect(allowed, `map chip "${chip.text}"`).toContain(withoutCount(chip.text));

    const panel = textsOf(renderToStaticMarkup(createElement(PanelStandInChip, { lost, title: lost.cause })), `tnode__chip--${kind}`);
    expect(panel).toHaveLength(1);
    expect(allowed, `panel chip "${panel[0]}"`).toContain(withoutCount(panel[0] ?? ''));

    const tag = textsOf(renderToStaticMarkup(createElement(StatusCell, { instance: { status: 'critical', statusCause: lossCause(lost), lost } })), `tag--${kind}`);
    expect(tag).toHaveLength(1);
    expect(allowed, `instance tag "${tag[0]}"`).toContain(tag[0]);

    for (const legend of textsOf(renderToStaticMarkup(createElement(TopologyLegend)), `tnode__chip--${kind}`)) {
      expect(allowed, `legend chip "${legend}"`).toContain(withoutCount(legend));
    }

    if (!lost.checking) {
      // History's row for the loss: its kind's label, or the still-serving loss's own.
      expect(eventLabel({ kind: 'instance.lost', detail: lost.cause }).toLowerCase()).toBe(words);
    }
  });

  it('the legend explains the chip of an instance still serving out of discovery', () => {
    const [clause] = standInClauses([{ lost: STAND_INS.unlisted }]);
    expect(textsOf(renderToStaticMarkup(createElement(TopologyLegend)), 'tnode__chip--unlisted')).toEqual([clause]);
  });
});
