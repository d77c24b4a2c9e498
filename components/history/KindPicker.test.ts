import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { EventKind } from '@/lib/model/events';
import { STAND_IN_WORDS } from '@/lib/model/status/lost';
import { KindPicker } from './KindPicker';

const picker = (value: EventKind[]): string => renderToStaticMarkup(createElement(KindPicker, { value, onChange: () => undefined }));
const text = (markup: string): string => markup.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');

describe('KindPicker', () => {
  it('says that the losses it filters on include instances still serving out of discovery, in its option and its summary', () => {
    // One kind, instance.lost, is both a gone process and one still serving out of discovery (History labels its row so):
    // a filter named "Lost" alone handed the reader still-serving instances under a word that says restart them.
    const option = /<label class="kind-picker__option">(?:(?!<\/label>).)*<\/label>/g;
    const lossOption = [...picker([]).matchAll(option)].map(([markup]) => text(markup)).find((label) => /\blost\b/i.test(label));
    expect(lossOption?.toLowerCase()).toContain(STAND_IN_WORDS.unlisted);
    const summary = /<summary[^>]*>(.*?)<\/summary>/.exec(picker(['instance.lost']))?.[1] ?? '';
    expect(text(summary).toLowerCase()).toContain(STAND_IN_WORDS.unlisted);
  });
});
