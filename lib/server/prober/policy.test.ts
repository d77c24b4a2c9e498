import { describe, expect, it } from 'vitest';
import { createProbePolicy } from './policy';

const base = { denyCidrs: ['169.254.0.0/16', 'fd00:ec2::254/128'], etcdEndpoints: [] };

describe('probe policy', () => {
  it('denies cloud metadata and link-local addresses, naming the rule, in any spelling', () => {
    const policy = createProbePolicy(base);
    expect(policy.denial('169.254.169.254', 80)).toBe('169.254.0.0/16');
    expect(policy.denial('::ffff:169.254.169.254', 80)).toBe('169.254.0.0/16');
    expect(policy.denial('::ffff:a9fe:a9fe', 80)).toBe('169.254.0.0/16');
    expect(policy.denial('fd00:ec2:0:0:0:0:0:254', 80)).toBe('fd00:ec2::254/128');
    expect(policy.denial('10.0.0.1', 80)).toBeUndefined();
    expect(policy.denial('::1', 80)).toBeUndefined();
  });

  it.each([
    '::169.254.169.254',
    '::a9fe:a9fe',
    '::ffff:0:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '64:ff9b:1::a9fe:a9fe',
    '2002:a9fe:a9fe::',
    '2001:0:4136:e378:8000:63bf:5601:5601',
    'fe80::1%eth0',
  ])('denies %s, which reaches a denied IPv4 address or range', (ip) => {
    const policy = createProbePolicy({ ...base, denyCidrs: [...base.denyCidrs, 'fe80::/10'] });
    expect(policy.denial(ip, 80)).toMatch(/^(169\.254\.0\.0\/16|fe80::\/10)$/);
    expect(policy.hostDenial(ip, 80)).toBe(policy.denial(ip, 80));
  });

  it('lets embedded addresses through only when every form is allowed', () => {
    const policy = createProbePolicy({ ...base, allowCidrs: ['10.0.0.0/8'] });
    expect(policy.denial('::ffff:10.0.0.1', 80)).toBeUndefined();
    expect(policy.denial('64:ff9b::a00:1', 80)).toBeUndefined();
    expect(policy.denial('64:ff9b::c0a8:1', 80)).toBe('not in SWITCHYARD_PROBE_ALLOW_CIDRS');
  });

  it("denies every etcd member's client and peer URLs, replacing them on each refresh", async () => {
    const policy = createProbePolicy(base);
    await policy.setEtcdMembers([
      { name: 'one', clientUrls: ['http://10.0.0.5:2379'], peerUrls: ['http://10.0.0.5:2380'] },
      { name: 'two', clientUrls: ['https://localhost:22379'], peerUrls: ['http://[fd00::6]:2380'] },
    ]);
    expect(policy.denial('10.0.0.5', 2380)).toBe('etcd member one peer URL 10.0.0.5:2380');
    expect(policy.denial('::ffff:10.0.0.5', 2379)).toBe('etcd member one client URL 10.0.0.5:2379');
    expect(policy.denial('64:ff9b::a00:5', 2380)).toBe('etcd member one peer URL 10.0.0.5:2380');
    expect(policy.denial('10.0.0.5', 80)).toBeUndefined();
    expect(policy.denial('127.0.0.1', 22379)).toBe('etcd member two client URL localhost:22379');
    expect(policy.hostDenial('LOCALHOST', 22379)).toBe('etcd member two client URL localhost:22379');
    expect(policy.denial('fd00::6', 2380)).toBe('etcd member two peer URL [fd00::6]:2380');
    await policy.setEtcdMembers([{ name: 'one', clientUrls: [], peerUrls: ['http://10.0.0.5:2380'] }]);
    expect(policy.denial('10.0.0.5', 2379)).toBeUndefined();
    expect(policy.denial('fd00::6', 2380)).toBeUndefined();
    expect(policy.denial('10.0.0.5', 2380)).toBe('etcd member one peer URL 10.0.0.5:2380');
  });

  it("denies the dashboard's own listener: on loopback or all interfaces, that port on every local address", () => {
    const policy = createProbePolicy(base);
    policy.denyListener('::', 3000);
    for (const ip of ['127.0.0.1', '127.0.0.2', '::1', '0.0.0.0', '::', '::ffff:127.0.0.1', '::127.0.0.1', '64:ff9b::7f00:1']) {
      expect(policy.denial(ip, 3000)).toBe("this dashboard's listener [::]:3000");
    }
    expect(policy.hostDenial('localhost', 3000)).toBe("this dashboard's listener [::]:3000");
    expect(policy.denial('127.0.0.1', 3001)).toBeUndefined();
    policy.denyListener('10.0.0.7', 443);
    expect(policy.denial('10.0.0.7', 443)).toBe("this dashboard's listener 10.0.0.7:443");
    expect(policy.denial('127.0.0.1', 3000)).toBeUndefined();
    expect(policy.hostDenial('localhost', 443)).toBeUndefined();
  });

  it('probes only allowed CIDRs when an allow list is set (the deny list still applies)', () => {
    const policy = createProbePolicy({ ...base, allowCidrs: ['10.0.0.0/8', '169.254.0.0/16', 'fd00::/8'] });
    expect(policy.denial('10.1.2.3', 80)).toBeUndefined();
    expect(policy.denial('fd00::1', 80)).toBeUndefined();
    expect(policy.denial('192.168.1.1', 80)).toBe('not in SWITCHYARD_PROBE_ALLOW_CIDRS');
    expect(policy.denial('169.254.1.1', 80)).toBe('169.254.0.0/16');
  });

  it("denies etcd's own endpoints; a loopback etcd also on every local address of its port", () => {
    const policy = createProbePolicy({ ...base, etcdEndpoints: ['http://127.0.0.1:2379', '10.0.0.9:12379', 'https://etcd.example:2379', 'http://[fd00::9]'] });
    for (const ip of ['127.0.0.1', '127.1.2.3', '0.0.0.0', '::1', '::', '::ffff:127.0.0.1']) expect(policy.denial(ip, 2379)).toBe('etcd endpoint 127.0.0.1:2379');
    expect(policy.denial('127.0.0.1', 2380)).toBeUndefined();
    expect(policy.denial('10.0.0.9', 12379)).toBe('etcd endpoint 10.0.0.9:12379');
    expect(policy.denial('10.0.0.9', 80)).toBeUndefined();
    expect(policy.denial('fd00::9', 2379)).toBe('etcd endpoint [fd00::9]:2379');
    expect(policy.hostDenial('ETCD.example', 2379)).toBe('etcd endpoint etcd.example:2379');
    expect(policy.hostDenial('etcd.example', 80)).toBeUndefined();
  });

  it('checks every address a name resolves to before anything connects', async () => {
    const policy = createProbePolicy({ ...base, etcdEndpoints: ['http://127.0.0.1:2379'] });
    await expect(policy.resolve('localhost', 2379)).rejects.toThrow('address denied by probe policy (etcd endpoint 127.0.0.1:2379)');
    await expect(policy.resolve('localhost', 80)).resolves.toMatch(/^(127\.0\.0\.1|::1)$/);
    await expect(policy.resolve('169.254.169.254', 80)).rejects.toMatchObject({ code: 'EPROBEDENIED' });
    const denied = await new Promise<unknown>((resolve) => policy.lookupFor(2379)('localhost', { all: true }, (error) => resolve(error)));
    expect(denied).toMatchObject({ message: 'address denied by probe policy (etcd endpoint 127.0.0.1:2379)' });
    const allowed = await new Promise<unknown>((resolve) => policy.lookupFor(80)('localhost', {}, (_error, address) => resolve(address)));
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('stops the start on a malformed CIDR, naming the setting', () => {
    expect(() => createProbePolicy({ ...base, denyCidrs: ['10.0.0.0/33'] })).toThrow('SWITCHYARD_PROBE_DENY_CIDRS: "10.0.0.0/33" is not an IP address or CIDR');
    expect(() => createProbePolicy({ ...base, allowCidrs: ['nope'] })).toThrow(/SWITCHYARD_PROBE_ALLOW_CIDRS/);
  });
});
