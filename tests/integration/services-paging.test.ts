import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceSchema } from '@/lib/model/instance';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

const PageSchema = z.object({ revision: z.string(), services: z.array(ServiceSchema), nextCursor: z.string().nullable() }).strict();
const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

// 25 services, hostile names among them (names come from key segments: no '/').
const NAMES = [...Array.from({ length: 21 }, (_, index) => `svc-${String(index).padStart(2, '0')}`), '__proto__', 'constructor', '服务-ümlaut', '😀-emoji'];

let etcd: TestEtcd;
let server: TestServer;

async function register(name: string): Promise<void> {
  await etcd.put(`/services/${name}/i-1`, JSON.stringify({ address: '127.0.0.1:9000' }));
}

async function allNames(): Promise<string[]> {
  const body = z.object({ services: z.array(ServiceSchema) }).parse(await (await server.fetch('/api/v1/services')).json());
  return body.services.map((service) => service.name);
}

/** Follows `Link: <…>; rel="next"` from `?limit=` until a page has none; `between` runs before each next page. */
async function walk(limit: number, between: (pageNumber: number) => Promise<void> = async () => {}): Promise<string[][]> {
  const pages: string[][] = [];
  let next: string | null = `/api/v1/services?limit=${limit}`;
  while (next !== null) {
    if (pages.length > 0) await between(pages.length);
    const response = await server.fetch(next);
    expect(response.status).toBe(200);
    const page = PageSchema.parse(await response.json());
    expect(page.services.length).toBeLessThanOrEqual(limit);
    pages.push(page.services.map((service) => service.name));
    const link = response.headers.get('link');
    next = link === null ? null : (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? 'unparseable link');
    expect(next === null ? null : new URL(next, server.url).searchParams.get('cursor')).toBe(page.nextCursor);
    expect(pages.length).toBeLessThanOrEqual(NAMES.length + 1);
  }
  return pages;
}

beforeAll(async () => {
  etcd = await startEtcd();
  for (const name of NAMES) await register(name);
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 15_000, 'ready');
  await eventually(async () => ((await allNames()).length === NAMES.length ? true : undefined), 15_000, 'every service listed');
});

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

describe('GET /api/v1/services paging on the real server', () => {
  it('answers without limit as v1 did: revision and every service, no cursor, no Link', async () => {
    const response = await server.fetch('/api/v1/services');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['revision', 'services']);
    expect(response.headers.get('link')).toBeNull();
  });

  it('walks 25 services with limit=10 by the next link: each once, in the whole list order', async () => {
    const pages = await walk(10);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(await allNames());
    expect(new Set(pages.flat())).toEqual(new Set(NAMES));
  });

  it('neither repeats nor skips when services before and after the cursor come and go between pages', async () => {
    const before = await allNames();
    const firstPage = before.slice(0, 10);
    const cursorName = firstPage.at(-1) ?? '';
    const removed = [before[0] ?? '', before.at(-1) ?? ''];
    const added = ['aaa-early', 'zzz-late'];
    const settled = (expectPresent: string[], expectGone: string[]) => async () => {
      const names = await allNames();
      return expectPresent.every((name) => names.includes(name)) && expectGone.every((name) => !names.includes(name)) ? names : undefined;
    };
    let after: string[] = [];
    try {
      const pages = await walk(10, async (pageNumber) => {
        if (pageNumber !== 1) return;
        for (const name of removed) await etcd.delete(`/services/${name}/i-1`);
        for (const name of added) await register(name);
        after = await eventually(settled(added, removed), 10_000, 'the changes listed');
      });
      const seen = pages.flat();
      expect(new Set(seen).size).toBe(seen.length);
      // Page one as it was; then everything listed now past its last name, in order.
      expect(seen).toEqual([...firstPage, ...after.filter((name) => name > cursorName)]);
      expect(seen).toContain('zzz-late');
      expect(seen).not.toContain('aaa-early');
    } finally {
      for (const name of added) await etcd.delete(`/services/${name}/i-1`);
      for (const name of removed) await register(name);
      await eventually(settled(removed, added), 10_000, 'the fleet restored');
    }
  });

  it('refuses a bad limit or cursor with 422 in the error shape, as other routes refuse a bad query', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=10&cursor=not%20a%20cursor', 'cursor'],
      ['limit=10&cursor=YQ', 'cursor'],
      [`limit=10&cursor=${'A'.repeat(2_000)}`, 'cursor'],
    ] as const) {
      const response = await server.fetch(`/api/v1/services?${query}`);
      expect(response.status, query).toBe(422);
      expect(ErrorBodySchema.parse(await response.json()).error).toMatchObject({ code: 'invalid', field });
    }
  });
});
