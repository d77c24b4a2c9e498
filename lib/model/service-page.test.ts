import { describe, expect, it } from 'vitest';
import {
  decodeServiceCursor,
  encodeServiceCursor,
  MAX_CURSOR_CHARS,
  MAX_SERVICE_PAGE_LIMIT,
  pageByName,
  ServicePageQuerySchema,
} from './service-page';

const byName = (names: string[]): { name: string }[] =>
  [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((name) => ({ name }));

/** Follows nextCursor from the first page to the last, calling `between` before each next page. */
function walk(list: () => { name: string }[], limit: number, between: (pageNumber: number) => void = () => {}): string[][] {
  const pages: string[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = pageByName(list(), { limit, after });
    pages.push(page.items.map((item) => item.name));
    if (page.nextCursor === null) return pages;
    after = decodeServiceCursor(page.nextCursor);
    expect(after).toBeDefined();
    between(pages.length);
  }
}

describe('pageByName', () => {
  const names = Array.from({ length: 25 }, (_, index) => `svc-${String(index).padStart(2, '0')}`);

  it('returns the list in order, each item once, in pages of at most limit', () => {
    const pages = walk(() => byName(names), 10);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(names);
  });

  it('gives no next cursor when the page ends exactly at the end of the list', () => {
    expect(pageByName(byName(names), { limit: 25 }).nextCursor).toBeNull();
    const first = pageByName(byName(names.slice(0, 20)), { limit: 10 });
    const second = pageByName(byName(names.slice(0, 20)), { limit: 10, after: decodeServiceCursor(first.nextCursor ?? '') });
    expect(second.items).toHaveLength(10);
    expect(second.nextCursor).toBeNull();
  });

  it('answers an empty list with an empty last page', () => {
    expect(pageByName([], { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it('neither repeats nor skips a service when services before the cursor are added or removed between pages', () => {
    let current = [...names];
    const pages = walk(
      () => byName(current),
      10,
      () => {
        // Before the cursor: one removed, one added that sorts first.
        current = current.filter((name) => name !== 'svc-03');
        current.push('aaa-new');
      },
    );
    expect(pages.flat()).toEqual(names);
  });

  it('shows services added after the cursor and drops those removed after it', () => {
    let current = [...names];
    const pages = walk(
      () => byName(current),
      10,
      (pageNumber) => {
        if (pageNumber !== 1) return;
        current = current.filter((name) => name !== 'svc-15');
        current.push('svc-99', 'svc-10a');
      },
    );
    const expected = [...names.filter((name) => name !== 'svc-15'), 'svc-10a', 'svc-99'].sort();
    expect(pages.flat()).toEqual(expected);
  });

  it('continues after a cursor whose own service was removed', () => {
    const first = pageByName(byName(names), { limit: 10 });
    const after = decodeServiceCursor(first.nextCursor ?? '');
    expect(after).toBe('svc-09');
    const without = byName(names.filter((name) => name !== 'svc-09'));
    expect(pageByName(without, { limit: 3, after }).items.map((item) => item.name)).toEqual(['svc-10', 'svc-11', 'svc-12']);
  });

  it('pages hostile names in code-unit order: unicode, lone surrogates, __proto__, 256-unit names', () => {
    const hostile = [
      '__proto__',
      'constructor',
      '<script>alert(1)</script>',
      'ümlaut',
      '服务',
      '😀-emoji',
      'lone-\uD800',
      'lone-\uDC00',
      'a'.repeat(256),
      '\uFFFF'.repeat(256),
      'b/../c',
    ];
    for (const limit of [1, 2, 5]) expect(walk(() => byName(hostile), limit).flat()).toEqual(byName(hostile).map((item) => item.name));
  });
});

describe('service cursors', () => {
  it('round-trip any name up to the registry bound, lone surrogates included, within the length bound', () => {
    for (const name of ['a', '__proto__', '服务', '😀', 'x\uD800y', '\uDFFF', '\uFFFF'.repeat(256), '😀'.repeat(128)]) {
      const cursor = encodeServiceCursor(name);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_CHARS);
      expect(decodeServiceCursor(cursor)).toBe(name);
    }
  });

  it('refuse what no page wrote: not base64url, odd byte counts, empty, over-long names, non-canonical spellings', () => {
    expect(decodeServiceCursor('')).toBeUndefined();
    expect(decodeServiceCursor('a+b/')).toBeUndefined();
    expect(decodeServiceCursor('YWJj=')).toBeUndefined();
    expect(decodeServiceCursor('YQ')).toBeUndefined(); // one byte: half a code unit
    expect(decodeServiceCursor('A')).toBeUndefined(); // not base64 at all
    expect(decodeServiceCursor(encodeServiceCursor('a'.repeat(257)))).toBeUndefined();
    expect(decodeServiceCursor('A'.repeat(MAX_CURSOR_CHARS + 4))).toBeUndefined();
    const cursor = encodeServiceCursor('ab'); // 4 bytes: the last character carries 4 unused bits
    const last = cursor.at(-1) ?? '';
    const tweaked = cursor.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1);
    expect(decodeServiceCursor(tweaked)).toBeUndefined();
  });
});

describe('ServicePageQuerySchema', () => {
  const parse = (query: Record<string, string>) => ServicePageQuerySchema.safeParse(query);
  const fieldOf = (query: Record<string, string>) => {
    const result = parse(query);
    return result.success ? 'ok' : result.error.issues[0]?.path.join('.');
  };

  it('is undefined without limit, so the v1 whole list is served, other parameters ignored', () => {
    expect(parse({})).toEqual({ success: true, data: undefined });
    expect(ServicePageQuerySchema.safeParse(Object.fromEntries([['search', 'x'], ['__proto__', 'y']]))).toEqual({ success: true, data: undefined });
  });

  it('takes limit 1..1000 and a cursor a page wrote', () => {
    expect(parse({ limit: '1' }).data).toEqual({ limit: 1, after: undefined });
    expect(parse({ limit: String(MAX_SERVICE_PAGE_LIMIT), cursor: encodeServiceCursor('__proto__') }).data).toEqual({ limit: 1000, after: '__proto__' });
  });

  it('refuses bad limits, naming the field', () => {
    for (const limit of ['', '0', '1001', '-1', '1.5', '1e3', ' 10', '0x10', 'ten', '99999999999']) expect(fieldOf({ limit })).toBe('limit');
  });

  it('refuses bad cursors and a cursor without limit, naming the field', () => {
    for (const cursor of ['', '!!', 'YQ', 'A'.repeat(2_000)]) expect(fieldOf({ limit: '10', cursor })).toBe('cursor');
    expect(fieldOf({ cursor: encodeServiceCursor('a') })).toBe('cursor');
  });
});
