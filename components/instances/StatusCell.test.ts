import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lost } from '@/lib/model/instance';
import { lossCause } from '@/lib/model/status/lost';
import { StatusCell, statusTitle } from './StatusCell';

const cell = (lost: Lost): string =>
  renderToStaticMarkup(createElement(StatusCell, { instance: { status: 'critical', statusCause: lossCause(lost), lost } }));

describe('StatusCell', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  it('tags a process that is gone as lost, and one still serving outside discovery as out of discovery, as the map does', () => {
    const gone = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused', passingBefore: 2 });
    expect(gone).toContain('class="tag tag--lost"');
    expect(gone).toMatch(/>lost</);
    const serving = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC while it still served: it answered probes 20 s later, but is out of discovery', passingBefore: 2, stillServing: true });
    expect(serving).toContain('class="tag tag--unlisted"');
    expect(serving).toMatch(/>out of discovery</);
    expect(serving).not.toMatch(/>lost</);
  });

  it('titles a flapping row\'s mark with its own changes, true of each row (the note above names only the first three)', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-06T10:05:00.000Z') });
    const changesMs = ['10:00:00', '10:01:10', '10:02:20', '10:03:30'].map((clock) => Date.parse(`2026-12-06T${clock}.000Z`));
    const markup = renderToStaticMarkup(createElement(StatusCell, { instance: { status: 'passing', criticalChangesMs: changesMs } }));
    const title = /class="flapping-mark" title="([^"]*)"/.exec(markup)?.[1] ?? '';
    expect(title).toMatch(/^Flapping: failing and recovering again and again/);
    expect(title).toMatch(/\. Its changes into and out of critical: 10:00:00 UTC, 10:01:10 UTC, 10:02:20 UTC and 10:03:30 UTC\.$/);
    expect(title).not.toMatch(/note above/);
  });

  it('gives a stand-in’s cause once, after its tag: not "lost lost: lease expired…"', () => {
    const gone = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC', passingBefore: 2 });
    expect(gone).toMatch(/>lost<\/span><span class="status-cell__cause">lease expired at /);
    const serving = cell({ at: '2026-12-06T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC while it still served', passingBefore: 2, stillServing: true });
    expect(serving).toMatch(/>out of discovery<\/span><span class="status-cell__cause">lease expired at /);
  });

  it('names the day of a status that began on another day than now: a clock alone read as today', () => {
    const now = new Date(2026, 11, 7, 10, 0, 0).getTime();
    const since = new Date(2026, 11, 6, 10, 0, 0).toISOString();
    expect(statusTitle({ status: 'critical', statusCause: 'HTTP 503', statusSince: since }, now)).toMatch(/^HTTP 503 — since [^(]+, 10:00:00 \(24 h ago\)$/);
    expect(statusTitle({ status: 'critical', statusCause: 'HTTP 503', statusSince: new Date(2026, 11, 7, 9, 0, 0).toISOString() }, now)).toBe('HTTP 503 — since 09:00:00 (1 h ago)');
  });
});
