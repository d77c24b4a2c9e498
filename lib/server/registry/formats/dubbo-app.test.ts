import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { dubboApp } from './dubbo-app';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('dubboApp.decode', () => {
  const current =
    '{"ID":"10.0.0.5:20000","ServiceName":"dubbo-app","Host":"10.0.0.5","Port":20000,"Enable":true,"Healthy":true,' +
    String.raw`"Metadata":{"dubbo.endpoints":"[{\"port\":20000,\"protocol\":\"dubbo\"}]","dubbo.metadata.revision":"3a1f","dubbo.metadata.storage-type":"local"},` +
    '"ServiceMetadata":null,"Address":"","GroupName":"","Tag":""}\n';

  it('decodes an app-level instance', () => {
    expect(dubboApp.decode(entry('/services/dubbo-app/10.0.0.5:20000', current, '9'))).toEqual([
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
    expect(dubboApp.decode(entry('/services/dubbo-app/10.0.0.5:20000', older))?.[0]).toMatchObject({
      weight: 100,
      metadata: { 'dubbo.metadata-service.url-params': '{"dubbo":{"version":"1.0.0","port":"20000"}}' },
    });
  });

  it.each([
    ['Enable', '"Enable":false,"Healthy":true'],
    ['Healthy', '"Enable":true,"Healthy":false'],
  ])('marks %s:false offline', (_, flags) => {
    const value = `{"ServiceName":"a","Host":"10.0.0.5","Port":1,${flags}}`;
    expect(dubboApp.decode(entry('/services/a/10.0.0.5:1', value))?.[0]?.offline).toBe(true);
  });

  it('brackets an IPv6 host', () => {
    const value = '{"ServiceName":"a","Host":"fd00::5","Port":20000}';
    expect(dubboApp.decode(entry('/services/a/x', value))?.[0]?.address).toBe('[fd00::5]:20000');
  });

  it.each([
    ['a string port', '{"ServiceName":"a","Host":"10.0.0.5","Port":"20000"}'],
    ['no host', '{"ServiceName":"a","Host":"","Port":20000}'],
    ['native JSON', '{"address":"10.0.0.5:20000"}'],
    ['an empty value', ''],
  ])('rejects %s', (_, value) => {
    expect(dubboApp.decode(entry('/services/a/10.0.0.5:20000', value))).toBeNull();
  });
});
