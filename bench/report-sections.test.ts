import { describe, expect, it } from 'vitest';
import { mergeReport, selectSections, splitReport } from './report-sections';

const LEGACY = [
  '# Benchmarks',
  '',
  '- Date: 2026-11-21T06:23:51.435Z; code: git 4a8449e',
  '- Load average when the run started (1/5/15 min): 2.70 / 3.43 / 2.69 — other jobs may share the machine',
  '',
  '## 1. Propagation latency',
  '',
  'old propagation table',
  '',
  '## 2. Snapshot at scale',
  '',
  'old snapshot table',
  '',
].join('\n');

describe('benchmark report sections', () => {
  it('selects the named sections, all by default, and refuses unknown names', () => {
    expect(selectSections([])).toEqual(['propagation', 'snapshot', 'probing', 'ingest', 'history', 'demo', 'topology', 'series', 'replicas', 'otlp', 'probe-day', 'scale']);
    expect(selectSections(['probing', 'propagation'])).toEqual(['propagation', 'probing']);
    expect(() => selectSections(['probe'])).toThrow('unknown benchmark section(s): probe; known: propagation, snapshot, probing');
  });

  it('splits a report into its header and section bodies by title', () => {
    const { header, bodies } = splitReport(LEGACY);
    expect(header).toContain('# Benchmarks');
    expect([...bodies.keys()]).toEqual(['Propagation latency', 'Snapshot at scale']);
    expect(bodies.get('Snapshot at scale')).toBe('old snapshot table');
  });

  it('replaces the sections run and keeps the others, dating kept ones from the old header', () => {
    const merged = mergeReport(LEGACY, '# Benchmarks\n\nnew header', new Map([['probing', '_Measured now._\n\nnew probing table']]));
    const { header, bodies } = splitReport(merged);
    expect(header.trim()).toBe('# Benchmarks\n\nnew header');
    expect(bodies.get('Propagation latency')).toBe(
      '_Measured 2026-11-21T06:23:51.435Z by `npm run bench`; code: git 4a8449e; load average at its start 2.70 / 3.43 / 2.69._\n\nold propagation table',
    );
    expect(bodies.get('Active probing')).toBe('_Measured now._\n\nnew probing table');
    expect(merged).toMatch(/## 1\. Propagation latency[\s\S]*## 2\. Snapshot at scale[\s\S]*## 3\. Active probing/);
    // A second partial run keeps what the first one wrote, untouched.
    expect(mergeReport(merged, '# Benchmarks\n\nnew header', new Map())).toBe(merged);
  });

  it('marks a section never measured', () => {
    expect(mergeReport(undefined, '# B', new Map())).toContain('_Not measured yet: run `npm run bench -- probing`._');
  });
});
