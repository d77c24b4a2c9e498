import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { addressForms, embeddedIpv4, ipv6Groups } from './embedded-ipv4';

describe('ipv6Groups', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['fe80::1%eth0', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
    ['::ffff:169.254.169.254', [0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe]],
    ['0:0:0:0:0:FFFF:A9FE:A9FE', [0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe]],
    ['64:ff9b::10.0.0.1', [0x64, 0xff9b, 0, 0, 0, 0, 0x0a00, 1]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
  ])('reads %s', (text, groups) => {
    expect(ipv6Groups(text)).toEqual(groups);
  });

  it.each(['1.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', '::1.2.3.256', '1.2.3.4::', 'g::1', '1:2:3:4:5:6:7::8'])('refuses %s', (text) => {
    expect(ipv6Groups(text)).toBeUndefined();
  });
});

describe('embeddedIpv4', () => {
  it.each([
    ['::ffff:169.254.169.254', ['169.254.169.254']],
    ['::ffff:a9fe:a9fe', ['169.254.169.254']],
    ['::169.254.169.254', ['169.254.169.254']],
    ['::a9fe:a9fe', ['169.254.169.254']],
    ['::ffff:0:169.254.169.254', ['169.254.169.254']],
    ['64:ff9b::a9fe:a9fe', ['169.254.169.254']],
    ['64:ff9b::169.254.169.254', ['169.254.169.254']],
    ['2002:a9fe:a9fe::1', ['169.254.169.254']],
    ['2001:0:a9fe:a9fe::5601:5601', ['169.254.169.254', '169.254.169.254']],
    ['::1', ['0.0.0.1']],
    ['2001:db8::1', []],
    ['fd00:ec2::254', []],
    ['64:ff9b:2::a9fe:a9fe', []],
    ['10.0.0.1', []],
  ])('%s → %j', (ip, expected) => {
    expect(embeddedIpv4(ip)).toEqual(expected);
  });

  it('reads the local-use NAT64 prefix in every RFC 6052 layout', () => {
    // 169.254.169.254 under 64:ff9b:1::/48, /56, /64 and /96 (the u octet, bits 64–71, stays zero).
    expect(embeddedIpv4('64:ff9b:1:a9fe:a9:fe00::')).toContain('169.254.169.254');
    expect(embeddedIpv4('64:ff9b:1:a9:fe:a9fe::')).toContain('169.254.169.254');
    expect(embeddedIpv4('64:ff9b:1:0:a9:fea9:fe00:0')).toContain('169.254.169.254');
    expect(embeddedIpv4('64:ff9b:1::a9fe:a9fe')).toContain('169.254.169.254');
  });

  it('agrees with Node on every spelling it accepts', () => {
    for (const ip of ['::ffff:127.0.0.1', '::127.0.0.1', '64:ff9b::127.0.0.1', '2002:7f00:1::']) {
      expect(net.isIPv6(ip)).toBe(true);
      expect(embeddedIpv4(ip)).toContain('127.0.0.1');
    }
  });
});

describe('addressForms', () => {
  it('is the address without its zone, then what it embeds', () => {
    expect(addressForms('fe80::1%eth0')).toEqual(['fe80::1']);
    expect(addressForms('::ffff:10.0.0.1')).toEqual(['::ffff:10.0.0.1', '10.0.0.1']);
    expect(addressForms('10.0.0.1')).toEqual(['10.0.0.1']);
  });
});
