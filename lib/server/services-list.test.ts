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

  it('keeps the services a search matches by name, instance id, address or metadata value, paging over the matches', async () => {
    const instance = (service: string, id: string, address: string, metadata: Record<string, string> = {}) => ({ id, service, key: `/services/${service}/${id}`, address, format: 'native' as const, metadata, status: 'passing' as const, drain: null });
    const fleet = {
      revision: '7',
      services: [
        { name: 'billing', status: 'passing' as const, instances: [instance('billing', 'b-1', '10.0.3.7:80')] },
        { name: 'orders', status: 'passing' as const, instances: [instance('orders', 'o-1', '10.0.3.8:80', { team: 'Payments' })] },
        { name: 'payments', status: 'passing' as const, instances: [instance('payments', 'p-1', '10.0.4.1:80')] },
      ],
    };
    const ask = async (query: string) => {
      const response = servicesListResponse(new URL(`http://console.test/api/v1/services${query}`), fleet);
      return { response, body: (await response.json()) as { services: { name: string }[]; nextCursor?: string } };
    };
    expect((await ask('?search=10.0.3.7')).body.services.map((s) => s.name)).toEqual(['billing']);
    expect((await ask('?search=PAYMENTS')).body.services.map((s) => s.name)).toEqual(['orders', 'payments']);
    expect((await ask('?search=o-1')).body.services.map((s) => s.name)).toEqual(['orders']);
    expect((await ask('?search=')).body.services).toHaveLength(3);
    const first = await ask('?search=10.0.3&limit=1');
    expect(first.body.services.map((s) => s.name)).toEqual(['billing']);
    expect(first.response.headers.get('link')).toBe(`</api/v1/services?limit=1&cursor=${first.body.nextCursor}&search=10.0.3>; rel="next"`);
    const second = await ask(`?search=10.0.3&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ services: [{ name: 'orders' }], nextCursor: null });
    const tooLong = await ask(`?search=${'x'.repeat(257)}`);
    expect(tooLong.response.status).toBe(422);
    expect(tooLong.body).toMatchObject({ error: { field: 'search' } });
  });
});
