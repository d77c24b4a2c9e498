import { describe, expect, it } from 'vitest';
import { decodeServiceCursor, encodeServiceCursor } from '@/lib/model/service-page';
import { servicesListResponse } from './services-list';

const services = ['alpha', 'beta', 'gamma'].map((name) => ({ name, status: 'passing' as const, instances: [] }));
const snapshot = { revision: '42', services };
const get = (query: string): Response => servicesListResponse(new URL(`http://console.test/api/v1/services${query}`), snapshot);

describe('servicesListResponse', () => {
  it('answers without limit exactly as v1: revision and every service, no paging fields or header', async () => {
    const response = get('?cursor_unrelated=1');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ revision: '42', services });
    expect(response.headers.get('link')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a page with nextCursor and a rel="next" Link to the following page', async () => {
    const response = get('?limit=2');
    const body = (await response.json()) as { services: { name: string }[]; nextCursor: string };
    expect(body.services.map((service) => service.name)).toEqual(['alpha', 'beta']);
    expect(decodeServiceCursor(body.nextCursor)).toBe('beta');
    expect(response.headers.get('link')).toBe(`</api/v1/services?limit=2&cursor=${body.nextCursor}>; rel="next"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers the last page with nextCursor null and no Link', async () => {
    const response = get(`?limit=2&cursor=${encodeServiceCursor('beta')}`);
    expect(await response.json()).toEqual({ revision: '42', services: [services[2]], nextCursor: null });
    expect(response.headers.get('link')).toBeNull();
  });

  it('refuses a bad limit or cursor with 422 in the error shape, as other routes refuse a bad query', async () => {
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=abc', 'limit'],
      ['?limit=10&cursor=%%%', 'cursor'],
      [`?limit=10&cursor=${'A'.repeat(1_100)}`, 'cursor'],
      [`?cursor=${encodeServiceCursor('alpha')}`, 'cursor'],
    ] as const) {
      const response = get(query);
      expect(response.status).toBe(422);
      expect(await response.json()).toEqual({ error: { code: 'invalid', message: expect.any(String), field } });
    }
  });
});
