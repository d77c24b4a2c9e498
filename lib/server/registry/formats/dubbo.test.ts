import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { dubbo } from './dubbo';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

/** A dubbo-go provider URL as url.QueryEscape writes it into the key (note the double-escaped comma). */
const PROVIDER_URL =
  'dubbo%3A%2F%2F10.0.0.1%3A20000%2Fcom.foo.UserProvider%3Fanyhost%3Dtrue%26application%3Duser-svc%26category%3Dproviders' +
  '%26dubbo%3Ddubbo-provider-golang-1.5.0%26interface%3Dcom.foo.UserProvider%26ip%3D10.0.0.1%26loadbalance%3Drandom' +
  '%26methods%3DGetUser%252CGetUsers%26pid%3D4242%26registry%3Detcdv3%26release%3Ddubbo-golang-1.5.0%26side%3Dprovider' +
  '%26timestamp%3D1700000000%26version%3D1.0.0';

describe('dubbo.decode', () => {
  it('decodes an interface-level provider URL', () => {
    const [registration] = dubbo.decode(entry(`/dubbo/com.foo.UserProvider/providers/${PROVIDER_URL}`, '', '7')) ?? [];
    expect(registration).toMatchObject({
      service: 'com.foo.UserProvider',
      id: 'dubbo://10.0.0.1:20000?version=1.0.0',
      address: '10.0.0.1:20000',
      format: 'dubbo',
      version: '1.0.0',
    });
    expect(registration?.metadata).toMatchObject({
      protocol: 'dubbo',
      application: 'user-svc',
      methods: 'GetUser,GetUsers',
      side: 'provider',
    });
  });

  it('includes the group in the id, so group variants on one port stay apart', () => {
    const url = encodeURIComponent('tri://10.0.0.1:20001/com.foo.Api?group=blue&version=2&weight=50');
    expect(dubbo.decode(entry(`/dubbo/com.foo.Api/providers/${url}`, ''))?.[0]).toMatchObject({
      id: 'tri://10.0.0.1:20001?group=blue&version=2',
      weight: 50,
    });
  });

  it.each([
    ['a consumer', `/dubbo/com.foo.UserProvider/consumers/${PROVIDER_URL}`],
    ['the providers directory', '/dubbo/com.foo.UserProvider/providers'],
    ['a malformed escape', '/dubbo/com.foo.UserProvider/providers/dubbo%3A%2F%2F10.0.0.1%3A2%E0%A4%A'],
    ['a URL without a port', `/dubbo/com.foo.UserProvider/providers/${encodeURIComponent('dubbo://10.0.0.1/com.foo')}`],
    ['a non-URL', '/dubbo/com.foo.UserProvider/providers/hello'],
  ])('rejects %s', (_, key) => {
    expect(dubbo.decode(entry(key, ''))).toBeNull();
  });
});
