import { describe, expect, it } from 'vitest';
import { FORMATS } from '@/lib/model/instance';
import { decodeEntry } from '@/lib/server/registry/decode';
import { registryFormat } from '@/lib/server/registry/formats/index';
import { registeredServiceName, registrationFor, registrationPrefix } from './formats';

const instance = {
  service: 'orders',
  id: 'orders-1',
  address: '127.0.0.1:40123',
  version: '1.8.3',
  zone: 'eu-west-1a',
  dependsOn: ['payments', 'postgres'],
  metadata: { 'external.postgres': 'database' },
};
const LEASE = '7587874236439215621';

describe('demo registrations decode back to what was registered', () => {
  it.each(FORMATS)('%s', (format) => {
    const { key, value } = registrationFor(format, instance, LEASE);
    const decoded = decodeEntry({ key, value: Buffer.from(value), lease: LEASE });
    expect(decoded).toHaveLength(1);
    expect(decoded?.[0]?.format).toBe(format);
    expect(decoded?.[0]?.address).toBe(instance.address);
    expect(decoded?.[0]?.service).toBe(registeredServiceName(format, 'orders'));
    expect(key.startsWith(registrationPrefix(format, 'orders'))).toBe(true);
    if (registryFormat(format).demo.carriesMetadata) expect(decoded?.[0]?.metadata['external.postgres']).toBe('database');
    if (format === 'native') expect(decoded?.[0]?.dependsOn).toEqual(['payments', 'postgres']);
  });

  it('gives each service of one format its own prefix', () => {
    for (const format of FORMATS) {
      const prefix = registrationPrefix(format, 'orders');
      const { key } = registrationFor(format, { ...instance, service: 'orders-archive' }, LEASE);
      expect(key.startsWith(prefix), format).toBe(false);
    }
  });

  it.each(FORMATS.filter((format) => registryFormat(format).demo.carriesMetadata))('%s carries the zone', (format) => {
    const { key, value } = registrationFor(format, instance, LEASE);
    expect(decodeEntry({ key, value: Buffer.from(value), lease: LEASE })?.[0]?.zone).toBe('eu-west-1a');
  });
});
