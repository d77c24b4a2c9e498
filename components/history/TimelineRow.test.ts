import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TimelineRow } from './TimelineRow';

describe('TimelineRow', () => {
  it('lets a cause in a right-to-left script run right to left: its cell takes the direction of its own text', () => {
    const event = { id: 7, at: '2026-12-07T18:00:00.000Z', kind: 'health.changed' as const, service: 'payments', instance: 'a', to: 'critical', detail: 'فشل الاتصال بقاعدة البيانات' };
    const markup = renderToStaticMarkup(
      createElement(TimelineRow, { event, index: 0, setSize: 1, start: 0, expanded: false, active: false, showService: true, idTail: 6, measure: () => undefined, onToggle: () => undefined }),
    );
    const cause = /<span class="timeline-row__detail[^"]*"[^>]*>/.exec(markup)?.[0] ?? '';
    expect(cause).toContain('dir="auto"');
  });
});
