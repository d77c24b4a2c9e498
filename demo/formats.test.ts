import { describe, expect, it } from 'vitest';
import { FORMATS } from '@/lib/model/instance';
import { decodeEntry } from '@/lib/server/registry/decode';
import { registrationFor } from './formats';

const instance = { service: 'orders', id: 'orders-1', address: '127.0.0.1:40123', version: '1.8.3', zone: 'eu-west-1a', dependsOn: ['payments'] };
const LEASE = '7587874236439215621';

describe('demo registrations decode back to what was registered', () => {
  it.each(FORMATS)('%s', (format) => {
    const { key, value } = registrationFor(format, instance, LEASE);
    const decoded = decodeEntry({ key, value: Buffer.from(value), lease: LEASE });
    expect(decoded).not.toBeNull();
    expect(decoded?.[0]?.format).toBe(format);
    expect(decoded?.[0]?.address).toBe(instance.address);
    const expectedService = format === 'dubbo' ? 'com.example.orders.Provider' : 'orders';
    expect(decoded?.[0]?.service).toBe(expectedService);
  });
});
