import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TopologyLegend } from './TopologyLegend';

describe('TopologyLegend', () => {
  it('explains both origin marks: the current one and the muted one of an origin that recovered', () => {
    const html = renderToStaticMarkup(createElement(TopologyLegend));
    expect(html).toMatch(/<span class="origin-mark" title="The mark of a likely origin">.*?<\/svg>origin<\/span> likely origin of a failure/);
    expect(html).toMatch(/<span class="origin-mark origin-mark--recovered" title="[^"]*">.*?<\/svg>was origin<\/span> was the likely origin, passing again while its callers clear its errors/);
  });

  it('says a faint edge is one with no calls in the last minute, declared or called lately', () => {
    const html = renderToStaticMarkup(createElement(TopologyLegend));
    expect(html).toMatch(/tlegend__edge--idle"><\/path><\/svg>no calls in the last minute: declared, or called lately \(thin, faint\)/);
  });
});
