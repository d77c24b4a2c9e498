import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to';

describe('safeReturnTo', () => {
  it('keeps a local path with its query and fragment', () => {
    expect(safeReturnTo('/services/api?tab=history#top')).toBe('/services/api?tab=history#top');
    expect(safeReturnTo('/')).toBe('/');
  });

  it('turns anything that could leave the site into "/"', () => {
    for (const hostile of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'services',
      '',
      null,
      undefined,
    ]) {
      expect(safeReturnTo(hostile)).toBe('/');
    }
  });
});
