import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { decodeDubboApp, decodeDubboProvider } from './dubbo';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

/** A dubbo-go provider URL as url.QueryEscape writes it into the key (note the double-escaped comma). */
const PROVIDER_URL =
  'dubbo%3A%2F%2F10.0.0.1%3A20000%2Fcom.foo.UserProvider%3Fanyhost%3Dtrue%26application%3Duser-svc%26category%3Dproviders' +
  '%26dubbo%3Ddubbo-provider-golang-1.5.0%26interface%3Dcom.foo.UserProvider%26ip%3D10.0.0.1%26loadbalance%3Drandom' +
  '%26methods%3DGetUser%252CGetUsers%26pid%3D4242%26registry%3Detcdv3%26release%3Ddubbo-golang-1.5.0%26side%3Dprovider' +
  '%26timestamp%3D1700000000%26version%3D1.0.0';

describe('decodeDubboProvider', () => {
  it('decodes an interface-level provider URL', () => {
    const [registration] = decodeDubboProvider(entry(`/dubbo/com.foo.UserProvider/providers/${PROVIDER_URL}`, '', '7')) ?? [];
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
    expect(decodeDubboProvider(entry(`/dubbo/com.foo.Api/providers/${url}`, ''))?.[0]).toMatchObject({
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
    expect(decodeDubboProvider(entry(key, ''))).toBeNull();
  });
});

describe('decodeDubboApp', () => {
  const current =
    '{"ID":"10.0.0.5:20000","ServiceName":"dubbo-app","Host":"10.0.0.5","Port":20000,"Enable":true,"Healthy":true,' +
    String.raw`"Metadata":{"dubbo.endpoints":"[{\"port\":20000,\"protocol\":\"dubbo\"}]","dubbo.metadata.revision":"3a1f","dubbo.metadata.storage-type":"local"},` +
    '"ServiceMetadata":null,"Address":"","GroupName":"","Tag":""}\n';

  it('decodes an app-level instance', () => {
    expect(decodeDubboApp(entry('/services/dubbo-app/10.0.0.5:20000', current, '9'))).toEqual([
      {
        service: 'dubbo-app',
        id: '10.0.0.5:20000',
        address: '10.0.0.5:20000',
        format: 'dubbo-app',
        metadata: {
          'dubbo.endpoints': '[{"port":20000,"protocol":"dubbo"}]',
          'dubbo.metadata.revision': '3a1f',
          'dubbo.metadata.storage-type': 'local',
        },
      },
    ]);
  });

  it('accepts the older shape with Id and Weight', () => {
    const older =
      '{"ServiceName":"dubbo-app","Host":"10.0.0.5","Port":20000,"Id":"10.0.0.5:20000","Weight":100,"Enable":true,"Healthy":true,' +
      String.raw`"Metadata":{"dubbo.metadata-service.url-params":"{\"dubbo\":{\"version\":\"1.0.0\",\"port\":\"20000\"}}"}}` +
      '\n';
    expect(decodeDubboApp(entry('/services/dubbo-app/10.0.0.5:20000', older))?.[0]).toMatchObject({
      weight: 100,
      metadata: { 'dubbo.metadata-service.url-params': '{"dubbo":{"version":"1.0.0","port":"20000"}}' },
    });
  });

  it.each([
    ['Enable', '"Enable":false,"Healthy":true'],
    ['Healthy', '"Enable":true,"Healthy":false'],
  ])('marks %s:false offline', (_, flags) => {
    const value = `{"ServiceName":"a","Host":"10.0.0.5","Port":1,${flags}}`;
    expect(decodeDubboApp(entry('/services/a/10.0.0.5:1', value))?.[0]?.offline).toBe(true);
  });

  it('brackets an IPv6 host', () => {
    const value = '{"ServiceName":"a","Host":"fd00::5","Port":20000}';
    expect(decodeDubboApp(entry('/services/a/x', value))?.[0]?.address).toBe('[fd00::5]:20000');
  });

  it.each([
    ['a string port', '{"ServiceName":"a","Host":"10.0.0.5","Port":"20000"}'],
    ['no host', '{"ServiceName":"a","Host":"","Port":20000}'],
    ['native JSON', '{"address":"10.0.0.5:20000"}'],
    ['an empty value', ''],
  ])('rejects %s', (_, value) => {
    expect(decodeDubboApp(entry('/services/a/10.0.0.5:20000', value))).toBeNull();
  });
});
