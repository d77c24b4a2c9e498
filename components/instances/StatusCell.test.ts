import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Lost } from '@/lib/model/instance';
import { lossCause } from '@/lib/model/status/lost';
import { StatusCell } from './StatusCell';

const cell = (lost: Lost): string =>
  renderToStaticMarkup(createElement(StatusCell, { instance: { status: 'critical', statusCause: lossCause(lost), lost } }));

describe('StatusCell', () => {
  it('tags a process that is gone as lost, and one still serving outside discovery as out of discovery, as the map does', () => {
    const gone = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused', passingBefore: 2 });
    expect(gone).toContain('class="tag tag--lost"');
    expect(gone).toMatch(/>lost</);
    const serving = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC while it still served: it answered probes 20 s later, but is out of discovery', passingBefore: 2, stillServing: true });
    expect(serving).toContain('class="tag tag--unlisted"');
    expect(serving).toMatch(/>out of discovery</);
    expect(serving).not.toMatch(/>lost</);
  });

  it('gives a stand-in’s cause once, after its tag: not "lost lost: lease expired…"', () => {
    const gone = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC', passingBefore: 2 });
    expect(gone).toMatch(/>lost<\/span><span class="status-cell__cause">lease expired at /);
    const serving = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC while it still served', passingBefore: 2, stillServing: true });
    expect(serving).toMatch(/>out of discovery<\/span><span class="status-cell__cause">lease expired at /);
  });
});
