import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '@/lib/model/instance';
import { REGISTRY_FORMATS, registryFormat } from './index';
import { formatTable } from './table';

const README = path.resolve(import.meta.dirname, '../../../../README.md');
const START = '<!-- registry-formats:start (generated from lib/server/registry/formats; checked by index.test.ts) -->';
const END = '<!-- registry-formats:end -->';

describe('REGISTRY_FORMATS', () => {
  it('has exactly one module per format id the rest of the product knows', () => {
    expect(REGISTRY_FORMATS.map((format) => format.id).sort()).toEqual([...FORMATS].sort());
    for (const id of FORMATS) expect(registryFormat(id).id).toBe(id);
  });

  it('is the table README shows', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'README lacks the registry-formats markers').toBeGreaterThan(-1);
    expect(readme.slice(start + START.length, end).trim(), 'README table differs from formatTable(); paste its output').toBe(formatTable());
  });
});
